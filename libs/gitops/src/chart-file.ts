// The umbrella Chart.yaml: its dependencies as Helm reads them, and which one is the app chart.
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { GitopsError } from './errors.ts';
import { goStringField } from './scalar-style.ts';
import { lineOf, rangeOf } from './yaml-source.ts';
import type { YamlFile } from './yaml-source.ts';

export interface ChartDependency {
  name: string;
  /** The version (or constraint) exactly as Helm reads it ("" when missing). */
  version: string;
  repository: string;
  alias?: string;
}

export interface DependencyEntry {
  index: number;
  /** The entry as written: a mapping, or an alias to one. */
  node: Node;
  /** The mapping (alias resolved). */
  map: YAMLMap;
  dependency: ChartDependency;
}

/**
 * All entries of `dependencies:` in the first document (the one Helm reads). Throws NO_DEPENDENCY when the
 * key is missing or the list is empty, INVALID_DEPENDENCY for an entry without name or repository.
 */
export function readDependencies(chart: YamlFile): DependencyEntry[] {
  const doc = chart.docs[0];
  const root = doc?.contents ?? null;
  if (doc === undefined || !isMap(root)) {
    throw new GitopsError('NO_DEPENDENCY', 'no dependencies: the umbrella chart needs one dependency on the app chart', { file: chart.path });
  }
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'dependencies');
  const list = resolve(chart, pair?.value ?? null);
  if (pair === undefined || list === null || (isScalar(list) && list.value === null) || (isSeq(list) && list.items.length === 0)) {
    const line = pair === undefined ? undefined : lineOf(chart.text, rangeOf(pair.key as Node)[0]);
    throw new GitopsError('NO_DEPENDENCY', `${pair === undefined ? 'no `dependencies:`' : '`dependencies:` is empty'}: the umbrella chart needs one dependency on the app chart`, line === undefined ? { file: chart.path } : { file: chart.path, line });
  }
  if (!isSeq(list)) {
    throw new GitopsError('INVALID_DEPENDENCY', '`dependencies:` is not a list', { file: chart.path, line: lineOf(chart.text, rangeOf(list)[0]) });
  }
  return list.items.map((item, index) => {
    const node = item as Node;
    const map = resolve(chart, node);
    const line = lineOf(chart.text, rangeOf(node)[0]);
    if (!isMap(map)) throw new GitopsError('INVALID_DEPENDENCY', `dependencies[${index}] is not a mapping`, { file: chart.path, line });
    const field = (key: string): string => {
      const v = goStringField(chart.text, doc, fieldNode(map, key));
      if (v === undefined) throw new GitopsError('INVALID_DEPENDENCY', `dependencies[${index}].${key} is not a string`, { file: chart.path, line });
      return v;
    };
    const name = field('name');
    if (name === '') throw new GitopsError('INVALID_DEPENDENCY', `dependencies[${index}] has no name`, { file: chart.path, line });
    const dependency: ChartDependency = { name, version: field('version'), repository: field('repository') };
    const alias = field('alias');
    if (alias !== '') dependency.alias = alias;
    return { index, node, map, dependency };
  });
}

/**
 * The app chart's entry: the only one, else the one whose name is the app's, else the one whose alias is.
 * Throws AMBIGUOUS_DEPENDENCY naming the candidates otherwise.
 */
export function selectDependency(chart: YamlFile, app: string | undefined): DependencyEntry {
  const entries = readDependencies(chart);
  if (entries.length === 1 && entries[0] !== undefined) return entries[0];
  const byName = entries.filter((e) => e.dependency.name === app);
  const byAlias = entries.filter((e) => e.dependency.alias === app);
  const pick = byName.length === 1 ? byName[0] : byName.length === 0 && byAlias.length === 1 ? byAlias[0] : undefined;
  if (pick !== undefined) return pick;
  const names = entries.map((e) => e.dependency.name + (e.dependency.alias === undefined ? '' : ` (alias ${e.dependency.alias})`)).join(', ');
  const why = app === undefined ? 'and no app name to choose by' : `and ${byName.length > 1 ? 'several are' : 'none is'} named ${JSON.stringify(app)}`;
  throw new GitopsError('AMBIGUOUS_DEPENDENCY', `${entries.length} dependencies (${names}) ${why}; the app chart's dependency must be named after the app`, { file: chart.path });
}

/** The key under which the app chart's values live in the umbrella values.yaml. */
export function valuesKey(dep: ChartDependency): string {
  return dep.alias ?? dep.name;
}

/**
 * A field's value node, matching keys like encoding/json does: the exact key first, else case-insensitively.
 */
export function fieldNode(map: YAMLMap, key: string): unknown {
  const keyOf = (p: Pair): string | undefined => (isScalar(p.key) ? String(p.key.value) : undefined);
  const exact = map.items.find((p) => keyOf(p) === key);
  const found = exact ?? map.items.find((p) => keyOf(p)?.toLowerCase() === key.toLowerCase());
  return found?.value ?? null;
}

function resolve(file: YamlFile, node: unknown): Node | null {
  let n = node as Node | null;
  const doc = file.docs[0];
  for (let i = 0; i < 100 && n !== null && isAlias(n) && doc !== undefined; i++) n = (n.resolve(doc) as Node | undefined) ?? null;
  return n;
}
