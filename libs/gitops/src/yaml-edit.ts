// Sets one scalar at a key path by splicing the original text: the only bytes that change are the
// scalar's value (quoting style kept) or, for a missing key, the inserted lines / flow entries.
import { isAlias, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import type { Node, Pair, Scalar, YAMLMap } from 'yaml';
import { GitopsError } from './errors.ts';
import { displayValue, helmString, isEmptyScalar, keyString, renderScalar } from './scalar-style.ts';
import type { QuoteStyle } from './scalar-style.ts';
import { columnOf, detectEol, lineEndAfter, lineOf, rangeOf } from './yaml-source.ts';
import type { Edit, YamlFile } from './yaml-source.ts';

export interface SetScalarResult {
  /** Undefined when the value is already there (as a string, the way Helm reads it). */
  edit: Edit | undefined;
  /** The old value as written (undefined when the key was missing or null). */
  previous: string | undefined;
  /** 1-based line of the scalar, or of the insertion. */
  line: number;
}

export interface SetScalarTarget {
  file: YamlFile;
  /** The mapping the path starts from; null for an empty document (insert at `emptyAt`, column 0). */
  root: Node | null;
  /** Dotted name of `root` for messages, e.g. `dependencies[0]`; '' for a document root. */
  rootName: string;
  /** Where an empty document's content goes (only used when root is null or an empty scalar). */
  emptyAt?: number;
}

const STR_TAG = 'tag:yaml.org,2002:str';

/** Plans setting `path` (keys) under `target.root` to the string `value`. Throws GitopsError for shapes it won't edit. */
export function planSetScalar(target: SetScalarTarget, path: readonly string[], value: string): SetScalarResult {
  const { file } = target;
  const fail = (code: 'ALIAS_NOT_EDITABLE' | 'UNEXPECTED_SHAPE', at: number, detail: string): never => {
    throw new GitopsError(code, detail, { file: file.path, line: lineOf(file.text, at) });
  };
  const name = (n: number): string => [target.rootName, ...path.slice(0, n)].filter((s) => s !== '').join('.') || 'document root';

  if (target.root === null || isEmptyScalar(target.root)) {
    const at = target.emptyAt ?? file.text.length;
    return insertLines(file, at, 0, indentStep(file), path, value);
  }
  let node: Node = target.root;
  let parentKeyCol: number | undefined;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] ?? '';
    if (isAlias(node)) fail('ALIAS_NOT_EDITABLE', rangeOf(node)[0], `${name(i)} is an alias (${file.text.slice(rangeOf(node)[0], rangeOf(node)[1])}); editing it would change every use of the anchor, so set ${path.slice(i).join('.')} explicitly`);
    if (!isMap(node)) fail('UNEXPECTED_SHAPE', rangeOf(node)[0], `${name(i)} is not a mapping, cannot set ${path.slice(i).join('.')}`);
    const map = node as YAMLMap;
    const pair = findPair(file.text, map, key);
    if (pair === undefined) {
      const merge = map.items.find((p) => isScalar(p.key) && p.key.type === 'PLAIN' && p.key.value === '<<');
      if (merge !== undefined) fail('ALIAS_NOT_EDITABLE', rangeOf(merge.key as Scalar)[0], `${name(i)} has no ${key} of its own but a merge key (<<); adding one would hide the merged ${key}, so set ${path.join('.')} explicitly`);
      if (map.flow) return insertFlow(file, map, path.slice(i), value);
      const col = columnOf(file.text, keyStart(map));
      const step = parentKeyCol !== undefined && col > parentKeyCol ? col - parentKeyCol : indentStep(file);
      return insertLines(file, lineEndAfter(file.text, lastContentEnd(map)), col, step, path.slice(i), value);
    }
    const v = pair.value as Node | null;
    if (i === path.length - 1) return setExisting(file, pair, name(i + 1), value, fail);
    if (v === null || isEmptyScalar(v)) {
      const keyNode = pair.key as Scalar;
      if (v === null) fail('UNEXPECTED_SHAPE', rangeOf(keyNode)[0], `${name(i + 1)} has no value, cannot set ${path.slice(i + 1).join('.')}`);
      if (map.flow) return replaceEmpty(file, v as Scalar, `{${renderFlowEntry(path.slice(i + 1), value)}}`);
      const step = indentStep(file);
      const at = lineEndAfter(file.text, rangeOf(v)[1]);
      return insertLines(file, at, columnOf(file.text, rangeOf(keyNode)[0]) + step, step, path.slice(i + 1), value);
    }
    parentKeyCol = map.flow ? undefined : columnOf(file.text, rangeOf(pair.key as Scalar)[0]);
    node = v;
  }
  throw new Error('unreachable: empty path');
}

function setExisting(file: YamlFile, pair: Pair, name: string, value: string, fail: (code: 'ALIAS_NOT_EDITABLE' | 'UNEXPECTED_SHAPE', at: number, detail: string) => never): SetScalarResult {
  const v = pair.value as Node | null;
  const keyRange = rangeOf(pair.key as Scalar);
  if (v === null) fail('UNEXPECTED_SHAPE', keyRange[0], `${name} is an explicit key without a value`);
  if (isAlias(v)) fail('ALIAS_NOT_EDITABLE', rangeOf(v)[0], `${name} is an alias (${file.text.slice(rangeOf(v)[0], rangeOf(v)[1])}); editing it would change every use of the anchor, so write the value instead`);
  if (!isScalar(v)) fail('UNEXPECTED_SHAPE', rangeOf(v)[0], `${name} is a ${isSeq(v) ? 'sequence' : 'mapping'}, expected a scalar`);
  const s = v as Scalar;
  const line = lineOf(file.text, rangeOf(s)[0]);
  if (s.type === 'BLOCK_LITERAL' || s.type === 'BLOCK_FOLDED') fail('UNEXPECTED_SHAPE', rangeOf(s)[0], `${name} is a block scalar (| or >), expected a one-line value`);
  if (s.tag !== undefined && s.tag !== STR_TAG) fail('UNEXPECTED_SHAPE', rangeOf(s)[0], `${name} carries the tag ${s.tag}, which the new value would not satisfy`);
  const previous = displayValue(file.text, s);
  if (helmString(file.text, s) === value) return { edit: undefined, previous, line };
  if (isEmptyScalar(s)) return { ...replaceEmpty(file, s, renderScalar(value, 'PLAIN')), previous };
  const style: QuoteStyle = s.type === 'QUOTE_SINGLE' || s.type === 'QUOTE_DOUBLE' ? s.type : 'PLAIN';
  return { edit: { start: rangeOf(s)[0], end: rangeOf(s)[1], text: renderScalar(value, style) }, previous, line };
}

/** Fills an implicit null (`tag:` / `tag: # c` / `{tag: }`) keeping a space after ':' and before '#'. */
function replaceEmpty(file: YamlFile, s: Scalar, text: string): SetScalarResult {
  const at = rangeOf(s)[0];
  const before = file.text[at - 1] === ':' ? ' ' : '';
  const after = file.text[at] === '#' ? ' ' : '';
  return { edit: { start: at, end: at, text: `${before}${text}${after}` }, previous: undefined, line: lineOf(file.text, at) };
}

function findPair(text: string, map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => keyString(text, p.key) === key);
}

function keyStart(map: YAMLMap): number {
  const first = map.items[0];
  const k = first?.key as Node | null | undefined;
  return k?.range?.[0] ?? map.range?.[0] ?? 0;
}

/** The end of the last scalar/flow/alias in a block collection: the line after it is where new items go. */
function lastContentEnd(node: Node): number {
  if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1];
    if (isPair(last)) {
      const v = last.value as Node | null;
      if (v !== null && v.range !== undefined && v.range !== null) return lastContentEnd(v);
      return (last.key as Node).range?.[1] ?? 0;
    }
    if (last !== undefined && last !== null) return lastContentEnd(last as Node);
  }
  return node.range?.[1] ?? 0;
}

/** `k1:\n  k2: v` lines at column `col`, inserted at a line start (or after a last line without newline). */
function insertLines(file: YamlFile, at: number, col: number, step: number, keys: readonly string[], value: string): SetScalarResult {
  const eol = detectEol(file.text);
  const lines = keys.map((k, j) => `${' '.repeat(col + j * step)}${renderScalar(k, 'PLAIN')}:${j === keys.length - 1 ? ` ${renderScalar(value, 'PLAIN')}` : ''}`);
  const atLineStart = at === 0 || file.text[at - 1] === '\n';
  const text = atLineStart ? lines.map((l) => l + eol).join('') : eol + lines.join(eol);
  return { edit: { start: at, end: at, text }, previous: undefined, line: lineOf(file.text, at) + (atLineStart ? 0 : 1) };
}

/** A flow mapping entry `k1: {k2: v}`. */
function renderFlowEntry(keys: readonly string[], value: string): string {
  const [first, ...rest] = keys;
  const inner = rest.length === 0 ? renderScalar(value, 'PLAIN') : `{${renderFlowEntry(rest, value)}}`;
  return `${renderScalar(first ?? '', 'PLAIN')}: ${inner}`;
}

function insertFlow(file: YamlFile, map: YAMLMap, keys: readonly string[], value: string): SetScalarResult {
  const entry = renderFlowEntry(keys, value);
  const last = map.items[map.items.length - 1];
  if (last === undefined) {
    const open = map.range?.[0] ?? 0;
    return { edit: { start: open + 1, end: open + 1, text: entry }, previous: undefined, line: lineOf(file.text, open) };
  }
  const v = last.value as Node | null;
  const end = v?.range?.[1] ?? (last.key as Node).range?.[1] ?? 0;
  return { edit: { start: end, end, text: `, ${entry}` }, previous: undefined, line: lineOf(file.text, end) };
}

/**
 * The file's indentation step: the most common positive difference between a key's column and the
 * column of its nested block mapping's keys; 2 when the file has no nesting.
 */
export function indentStep(file: YamlFile): number {
  const counts = new Map<number, number>();
  for (const doc of file.docs) visit(doc, {
    Pair(_k, pair) {
      const v = pair.value as Node | null;
      if (!isMap(v) || v.flow || v.items.length === 0 || !isScalar(pair.key)) return;
      const d = columnOf(file.text, keyStart(v)) - columnOf(file.text, rangeOf(pair.key)[0]);
      if (d > 0 && lineOf(file.text, keyStart(v)) > lineOf(file.text, rangeOf(pair.key)[0])) counts.set(d, (counts.get(d) ?? 0) + 1);
    },
  });
  let best = 2;
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}
