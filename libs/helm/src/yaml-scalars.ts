import { isMap, isScalar, parseDocument, Scalar } from 'yaml';
import { InvalidChartError } from './errors.ts';

export interface ScalarEdit {
  /** Keys from the document root, e.g. ['image', 'tag']. */
  readonly path: readonly string[];
  readonly value: string;
}

const SAFE_PLAIN = /^[A-Za-z0-9_/][A-Za-z0-9._/:@-]*$/;

function render(value: string, type: Scalar['type']): string {
  if (type === Scalar.QUOTE_SINGLE) return `'${value.replaceAll("'", "''")}'`;
  if (type === Scalar.PLAIN && SAFE_PLAIN.test(value) && parseDocument(value).toJS() === value) return value;
  return JSON.stringify(value);
}

/**
 * Sets string scalars in a YAML text, changing only their bytes where it can: an existing plain or
 * quoted scalar is spliced in place (quoting style and comments kept); a missing top-level key of a
 * block mapping is appended as one line. Anything else (missing nested keys, block scalars, aliases)
 * falls back to the yaml library's re-serialisation of the whole document. Invalid YAML throws
 * InvalidChartError naming `file`.
 */
export function setYamlScalars(text: string, edits: readonly ScalarEdit[], file = 'YAML file'): string {
  const doc = parseDocument(text);
  const problem = doc.errors[0];
  if (problem) throw new InvalidChartError(`invalid ${file}: ${problem.message.split('\n')[0]}`);
  const splices: Array<{ start: number; end: number; text: string }> = [];
  const appended: string[] = [];
  let fallback = !(doc.contents === null || isMap(doc.contents));
  for (const edit of edits) {
    if (fallback) break;
    const node = doc.getIn(edit.path, true);
    if (isScalar(node) && node.range && (node.type === Scalar.PLAIN || node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) && !node.anchor) {
      splices.push({ start: node.range[0], end: node.range[1], text: render(edit.value, node.type) });
    } else if (node === undefined && edit.path.length === 1 && isMap(doc.contents) && !doc.contents.flow) {
      appended.push(`${edit.path[0]}: ${render(edit.value, Scalar.QUOTE_DOUBLE)}`);
    } else {
      fallback = true;
    }
  }
  if (fallback) {
    const whole = parseDocument(text);
    for (const edit of edits) whole.setIn(edit.path, edit.value);
    return whole.toString();
  }
  let out = text;
  for (const s of splices.sort((a, b) => b.start - a.start)) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  if (appended.length > 0) {
    const eol = out.includes('\r\n') ? '\r\n' : '\n';
    out = `${out}${out === '' || out.endsWith('\n') ? '' : eol}${appended.join(eol)}${eol}`;
  }
  return out;
}
