// Shared test helpers: corpus loading, "only the target bytes changed" checks, finding helm.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import { expect } from 'vitest';
import type { AppFiles } from '../src/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const corpusDir = path.join(here, 'corpus');

export interface CorpusCase {
  name: string;
  dir: string;
  meta: { app: string; version: string; description: string; error?: string };
  files: AppFiles;
  expected: Partial<AppFiles>;
}

const read = (f: string): string | undefined => (existsSync(f) ? readFileSync(f, 'utf8') : undefined);

export function loadCorpus(): CorpusCase[] {
  return readdirSync(corpusDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const dir = path.join(corpusDir, name);
      const meta = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as CorpusCase['meta'];
      const chart = read(path.join(dir, 'Chart.yaml')) ?? '';
      const values = read(path.join(dir, 'values.yaml')) ?? '';
      const lock = read(path.join(dir, 'Chart.lock'));
      const expected: Partial<AppFiles> = {};
      for (const [k, f] of [['chart', 'Chart.yaml'], ['values', 'values.yaml'], ['lock', 'Chart.lock']] as const) {
        const t = read(path.join(dir, 'expected', f));
        if (t !== undefined) expected[k] = t;
      }
      return { name, dir, meta, files: lock === undefined ? { chart, values } : { chart, values, lock }, expected };
    });
}

/** Node at a key path in a parsed node (no alias following). */
export function nodeAt(root: unknown, keys: readonly (string | number)[]): Node | undefined {
  let n = root as Node | null | undefined;
  for (const k of keys) {
    if (typeof k === 'number') {
      if (!isSeq(n)) return undefined;
      n = n.items[k] as Node | undefined;
    } else {
      if (!isMap(n)) return undefined;
      const pair = n.items.find((p) => isScalar(p.key) && String(p.key.value) === k);
      n = pair?.value as Node | null | undefined;
    }
  }
  return n ?? undefined;
}

export function firstDoc(text: string): unknown {
  const docs = parseAllDocuments(text);
  return Array.isArray(docs) ? docs[0]?.contents : undefined;
}

/** The source range of the scalar at `keys` in the first document, when it exists and is non-empty. */
export function scalarRange(text: string, keys: readonly (string | number)[]): [number, number] | undefined {
  const n = nodeAt(firstDoc(text), keys);
  if (!isScalar(n) || n.range === undefined || n.range === null || n.range[0] === n.range[1]) return undefined;
  return [n.range[0], n.range[1]];
}

/** The value at `keys` in the first document, as the YAML 1.2 core schema reads it. */
export function valueAt(text: string, keys: readonly (string | number)[]): unknown {
  const n = nodeAt(firstDoc(text), keys);
  return isScalar(n) ? n.value : n === undefined ? undefined : n.toJSON();
}

/**
 * Asserts `after` is `before` with exactly one contiguous change: inside `range` (the old scalar) when given,
 * else a pure insertion. Everything outside is byte-identical. Returns the inserted/replacing text.
 */
export function expectSingleSplice(before: string, after: string, range: [number, number] | undefined): string {
  if (before === after) return '';
  let pre = 0;
  const max = Math.min(before.length, after.length);
  while (pre < max && before[pre] === after[pre]) pre++;
  let suf = 0;
  while (suf < max - pre && before[before.length - 1 - suf] === after[after.length - 1 - suf]) suf++;
  const removed = before.slice(pre, before.length - suf);
  const added = after.slice(pre, after.length - suf);
  if (range === undefined) {
    expect(removed, 'an insertion removes nothing').toBe('');
  } else {
    expect(pre, 'change starts inside the old scalar').toBeGreaterThanOrEqual(range[0]);
    expect(before.length - suf, 'change ends inside the old scalar').toBeLessThanOrEqual(range[1]);
    expect(added.includes('\n'), 'a replaced scalar stays on one line').toBe(false);
  }
  return added;
}

/** The lines of `after` that are not in `before` (multiset difference), without line endings. */
export function addedLines(before: string, after: string): string[] {
  const count = new Map<string, number>();
  for (const l of before.split(/\r?\n/)) count.set(l, (count.get(l) ?? 0) + 1);
  const out: string[] = [];
  for (const l of after.split(/\r?\n/)) {
    const c = count.get(l) ?? 0;
    if (c > 0) count.set(l, c - 1);
    else out.push(l);
  }
  return out;
}

/** Every line break of a CRLF file stays CRLF (and of an LF file stays LF). */
export function expectSameLineEndings(before: string, after: string): void {
  const crlf = before.includes('\r\n');
  const bare = (t: string): number => (t.match(/(?<!\r)\n/g) ?? []).length;
  if (crlf) expect(bare(after)).toBe(bare(before));
  else expect(after.includes('\r\n')).toBe(before.includes('\r\n'));
}

/** The real helm binary: the project's pinned one, the bootstrap's build, or PATH. */
export function findHelm(): string | undefined {
  const candidates = [path.resolve(here, '../../../.tools/bin/helm'), '/tmp/gobin/helm'];
  for (const c of candidates) if (existsSync(c)) return c;
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const p = path.join(dir, 'helm');
    if (dir !== '' && existsSync(p)) return p;
  }
  return undefined;
}

/** All documents as plain data, with `keys` of the first document set to `value` (anchors followed). */
export function withValue(text: string, keys: (string | number)[] | undefined, value: string): unknown[] {
  const docs = parseAllDocuments(text) as Document.Parsed[];
  if (keys !== undefined) {
    if (docs.length === 0) docs.push(parseAllDocuments('{}')[0] as Document.Parsed);
    const doc = docs[0] as Document.Parsed;
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) doc.contents = doc.createNode({}) as never;
    for (let i = 1; i < keys.length; i++) {
      const n = doc.getIn(keys.slice(0, i), true);
      if (isScalar(n) && n.value === null) doc.setIn(keys.slice(0, i), doc.createNode({}));
    }
    const node = doc.getIn(keys, true);
    if (isScalar(node)) node.value = value;
    else doc.setIn(keys, value);
  }
  return docs.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);
}
