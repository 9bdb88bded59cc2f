// The umbrella values.yaml: where the app chart's image tag lives (`<alias-or-name>.image.tag`).
//
// Helm reads only the FIRST document of a values file (checked with helm 3.19: `a: 1\n---\nb: 2` renders
// {a: 1}; a comment-only first document renders {}). So the tag is read from and written to the first
// document only. If the dependency key appears only in a later document, that is an env repo mistake
// Helm silently ignores; we refuse (KEY_IN_LATER_DOCUMENT) instead of editing bytes that deploy nothing.
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';
import { GitopsError } from './errors.ts';
import { goStringField, helmString, keyString } from './scalar-style.ts';
import type { SetScalarTarget } from './yaml-edit.ts';
import { lineEndAfter, lineOf, rangeOf } from './yaml-source.ts';
import type { YamlFile } from './yaml-source.ts';

export const IMAGE_TAG_PATH = ['image', 'tag'] as const;

/** Where to set `<key>.image.tag`: the first document's root (or the empty first document). */
export function imageTagTarget(values: YamlFile, key: string): SetScalarTarget {
  const [first, ...later] = values.docs;
  if (first === undefined) return { file: values, root: null, rootName: '', emptyAt: values.text.length };
  const root = first.contents as Node | null;
  const isEmpty = root === null || (isScalar(root) && root.value === null && rangeOf(root)[0] === rangeOf(root)[1]);
  if (!isEmpty && !isMap(root)) {
    throw new GitopsError('UNEXPECTED_SHAPE', 'the first document is not a mapping', { file: values.path, line: lineOf(values.text, rangeOf(root)[0]) });
  }
  if (isEmpty || !hasKey(values.text, root as YAMLMap, key)) {
    const idx = later.findIndex((d) => isMap(d.contents) && hasKey(values.text, d.contents, key));
    const doc = later[idx];
    if (doc !== undefined) {
      const line = lineOf(values.text, rangeOf(doc.contents as Node)[0]);
      throw new GitopsError('KEY_IN_LATER_DOCUMENT', `${key}: is in document ${idx + 2}, but Helm reads only the first document of a values file; move it there`, { file: values.path, line });
    }
  }
  if (isEmpty) {
    const at = root === null ? rangeOf(first)[1] : rangeOf(root)[1];
    return { file: values, root: null, rootName: '', emptyAt: lineEndAfter(values.text, at) };
  }
  return { file: values, root, rootName: '' };
}

/**
 * The image tag as Helm reads it (first document, aliases and `<<` merge keys followed): the string, or a
 * number/bool formatted the way Go prints it (`tag: 1.10` deploys "1.1"); undefined when absent or null.
 */
export function readImageTag(values: YamlFile, key: string): string | undefined {
  const doc = values.docs[0];
  if (doc === undefined) return undefined;
  let node: Node | null = doc.contents as Node | null;
  for (const k of [key, ...IMAGE_TAG_PATH]) {
    node = lookup(values.text, doc, node, k);
    if (node === null) return undefined;
  }
  const tag = deref(doc, node);
  if (!isScalar(tag) || tag.value === null) return undefined;
  return helmString(values.text, tag) ?? goStringField(values.text, doc, tag);
}

function hasKey(text: string, map: YAMLMap, key: string): boolean {
  return map.items.some((p) => keyString(text, p.key) === key);
}

function lookup(text: string, doc: Document.Parsed, node: Node | null, key: string): Node | null {
  const map = deref(doc, node);
  if (!isMap(map)) return null;
  const pair = map.items.find((p) => keyString(text, p.key) === key);
  if (pair !== undefined) return (pair.value as Node | null) ?? null;
  // go-yaml merges `<<: *a` / `<<: [*a, *b]` (earlier sources win)
  const merge = map.items.find((p) => isScalar(p.key) && p.key.type === 'PLAIN' && p.key.value === '<<');
  if (merge === undefined) return null;
  const src = deref(doc, merge.value as Node | null);
  for (const s of isSeq(src) ? src.items : [src]) {
    const found = lookup(text, doc, s as Node | null, key);
    if (found !== null) return found;
  }
  return null;
}

function deref(doc: Document.Parsed, node: Node | null): Node | null {
  let n = node;
  for (let i = 0; i < 100 && n !== null && isAlias(n); i++) n = (n.resolve(doc) as Node | undefined) ?? null;
  return n;
}
