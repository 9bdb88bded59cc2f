// The values table of charts/pipeline/README.md, generated from values.schema.json (keys, types, enums,
// required, descriptions) and values.yaml (defaults): one source of truth, checked by a test.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@hat/task-runner';

export const PIPELINE_CHART_DIR = path.join(repoRoot, 'charts', 'pipeline');
export const VALUES_START = '<!-- generated:values:start (cli/src/chart-docs.ts) -->';
export const VALUES_END = '<!-- generated:values:end -->';

/** The part of JSON Schema values.schema.json uses. */
export interface SchemaNode {
  readonly $ref?: string;
  readonly allOf?: readonly SchemaNode[];
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly required?: readonly string[];
  readonly items?: SchemaNode;
  readonly definitions?: Readonly<Record<string, SchemaNode>>;
}

export interface ValuesRow {
  /** Dotted path; `[]` marks the fields of list items, e.g. `environments[].name`. */
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

const code = (text: string): string => `\`${text}\``;
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** Prose for a Markdown cell: placeholders like <app.name> shown as text, not taken for HTML tags. */
const prose = (text: string): string => text.replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Resolves `$ref` (local `#/definitions/…`) and merges `allOf` into one node. */
function resolve(node: SchemaNode, root: SchemaNode): SchemaNode {
  let out: SchemaNode = { ...node };
  if (node.$ref) {
    const name = /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1];
    const target = name === undefined ? undefined : root.definitions?.[name];
    if (!target) throw new Error(`values.schema.json: unresolvable $ref ${node.$ref}`);
    const { $ref: _ref, ...rest } = out;
    out = { ...resolve(target, root), ...rest };
  }
  for (const part of node.allOf ?? []) {
    const { allOf: _allOf, ...rest } = out;
    out = { ...resolve(part, root), ...rest };
  }
  return out;
}

/**
 * An object whose properties carry descriptions is a section: its properties get rows of their own. An object
 * with undescribed properties only enumerates the keys it admits (e.g. catalog.versions: one key per Task).
 */
const isSection = (node: SchemaNode, root: SchemaNode): boolean =>
  node.type === 'object' && Object.values(node.properties ?? {}).some((p) => resolve(p, root).description !== undefined);

function typeOf(node: SchemaNode, root: SchemaNode): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (node.type === 'array') {
    const items = node.items ? resolve(node.items, root) : undefined;
    if (items?.type === 'object' && items.properties && !isSection(items, root)) return `list of {${Object.keys(items.properties).join(', ')}}`;
    return items ? `list of ${typeOf(items, root)}` : 'list';
  }
  if (node.type === 'object') {
    const keys = Object.keys(node.properties ?? {});
    return keys.length > 0 && !isSection(node, root) ? `map (keys: ${keys.join(', ')})` : node.properties ? 'object' : 'map';
  }
  return node.type ?? 'any';
}

function lookup(values: unknown, keys: readonly string[]): unknown {
  let cur = values;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** The table rows: every schema property in schema order; object properties are expanded, list items' fields get `[]` rows. */
export function valuesRows(schema: SchemaNode, values: unknown): ValuesRow[] {
  const rows: ValuesRow[] = [];
  const walk = (node: SchemaNode, prefix: string, keys: readonly string[] | undefined): void => {
    for (const [name, raw] of Object.entries(node.properties ?? {})) {
      const prop = resolve(raw, schema);
      const key = prefix ? `${prefix}.${name}` : name;
      const valuePath = keys === undefined ? undefined : [...keys, name];
      if (isSection(prop, schema)) {
        walk(prop, key, valuePath);
        continue;
      }
      const value = valuePath === undefined ? undefined : lookup(values, valuePath);
      const required = node.required?.includes(name) ?? false;
      rows.push({
        key,
        type: typeOf(prop, schema),
        default: value !== undefined ? JSON.stringify(value) : required ? '(required)' : '',
        description: prop.description ?? '',
      });
      const items = prop.items ? resolve(prop.items, schema) : undefined;
      if (items && isSection(items, schema)) walk(items, `${key}[]`, undefined);
    }
  };
  walk(schema, '', []);
  return rows;
}

export function formatValuesTable(rows: readonly ValuesRow[]): string {
  const head = ['key', 'type', 'default', 'description'];
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [
    line(head),
    line(head.map(() => '---')),
    ...rows.map((r) => line([code(r.key), r.type, r.default === '' || r.default === '(required)' ? r.default : code(r.default), prose(r.description)])),
  ].join('\n');
}

async function readChart(chartDir: string): Promise<{ schema: SchemaNode; values: unknown; readme: string }> {
  const [schemaText, valuesText, readme] = await Promise.all(
    ['values.schema.json', 'values.yaml', 'README.md'].map((f) => readFile(path.join(chartDir, f), 'utf8')),
  );
  return { schema: JSON.parse(schemaText!) as SchemaNode, values: parse(valuesText!) as unknown, readme: readme! };
}

/** The generated values table of the chart's README. */
export async function renderValuesTable(chartDir: string = PIPELINE_CHART_DIR): Promise<string> {
  const { schema, values } = await readChart(chartDir);
  return formatValuesTable(valuesRows(schema, values));
}

/** Replaces the generated block of the README, keeping the hand-written rest. */
export function spliceValuesTable(readme: string, table: string): string {
  const start = readme.indexOf(VALUES_START);
  const end = readme.indexOf(VALUES_END);
  if (start < 0 || end < start) throw new Error(`README lacks the markers ${VALUES_START} … ${VALUES_END}`);
  return `${readme.slice(0, start + VALUES_START.length)}\n${table}\n${readme.slice(end)}`;
}

/** Keys of values.yaml (leaves and empty maps/lists) the schema does not describe. */
function unknownValueKeys(schema: SchemaNode, values: unknown): string[] {
  const out: string[] = [];
  const walk = (node: SchemaNode, value: unknown, prefix: string): void => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const prop = node.properties?.[k];
      if (!prop) {
        if (node.additionalProperties === undefined || node.additionalProperties === false) out.push(key);
        continue;
      }
      const resolved = resolve(prop, schema);
      if (isSection(resolved, schema)) walk(resolved, v, key);
    }
  };
  walk(schema, values, '');
  return out;
}

/**
 * Problems with the chart's docs, empty when all is well: the README's values table is stale (or its
 * markers are missing), a schema property has no description, or values.yaml has a key the schema lacks.
 */
export async function checkChartDocs(chartDir: string = PIPELINE_CHART_DIR): Promise<string[]> {
  const { schema, values, readme } = await readChart(chartDir);
  const problems: string[] = [];
  const rows = valuesRows(schema, values);
  for (const r of rows) if (!r.description) problems.push(`values.schema.json: ${r.key} has no description`);
  for (const k of unknownValueKeys(schema, values)) problems.push(`values.yaml: ${k} is not in values.schema.json`);
  const table = formatValuesTable(rows);
  try {
    if (spliceValuesTable(readme, table) !== readme) problems.push('README.md: the values table is stale; run: npx hat generate');
  } catch (err) {
    problems.push(`README.md: ${err instanceof Error ? err.message : String(err)}`);
  }
  return problems;
}
