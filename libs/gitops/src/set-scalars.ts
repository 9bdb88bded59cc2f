// Sets string scalars at key paths of a YAML file's first document, byte-exactly (the same splice as a deploy):
// used for the build copy of an app chart (Chart.yaml version/appVersion, values.yaml image.repository/tag).
import { isMap, isScalar } from 'yaml';
import type { Node } from 'yaml';
import { GitopsError } from './errors.ts';
import { planSetScalar } from './yaml-edit.ts';
import { applyEdits, lineEndAfter, lineOf, parseYamlFile, rangeOf } from './yaml-source.ts';

export interface ScalarEdit {
  /** Keys from the document root, e.g. ['image', 'tag']. */
  readonly path: readonly string[];
  readonly value: string;
}

/** Applies the edits one after the other; throws GitopsError (file and line) for malformed YAML or shapes it won't edit. */
export function setScalars(file: string, text: string, edits: readonly ScalarEdit[]): string {
  let out = text;
  for (const e of edits) {
    const parsed = parseYamlFile(file, out);
    const first = parsed.docs[0];
    const root = (first?.contents ?? null) as Node | null;
    const empty = root === null || (isScalar(root) && root.value === null);
    if (!empty && !isMap(root)) throw new GitopsError('UNEXPECTED_SHAPE', 'the first document is not a mapping', { file, line: lineOf(out, rangeOf(root)[0]) });
    const emptyAt = first === undefined ? out.length : lineEndAfter(out, rangeOf(root ?? first)[1]);
    const { edit } = planSetScalar({ file: parsed, root: empty ? null : root, rootName: '', emptyAt }, e.path, e.value);
    if (edit) out = applyEdits(out, [edit]);
  }
  return out;
}
