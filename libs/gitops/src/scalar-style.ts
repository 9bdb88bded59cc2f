// Reading scalars the way Helm does, and writing new scalar text in a given quoting style.
import { isAlias, isScalar, parse } from 'yaml';
import type { Document, Node, Scalar } from 'yaml';
import { goResolvePlain, goStringFromPlain } from './go-yaml-scalar.ts';
import { rangeOf } from './yaml-source.ts';

export type QuoteStyle = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE';

// Conservative plain style: starts alphanumeric, no spaces, no indicators; a colon only inside (`sha256:ab`).
const PLAIN_SAFE = /^[A-Za-z0-9_](?:[A-Za-z0-9._+/-]|:(?=[A-Za-z0-9._+/-]))*$/;
const STR_TAG = 'tag:yaml.org,2002:str';

/**
 * True when `value` can be written unquoted and still read back as the same string by Helm (YAML 1.1,
 * go-yaml v2: `1.10`, `yes`, `0x1F`, `1_0` are not strings) and by YAML 1.2 tools, in block and flow context.
 */
export function canBePlain(value: string): boolean {
  if (!PLAIN_SAFE.test(value)) return false;
  if (goResolvePlain(value).tag !== 'str') return false;
  for (const version of ['1.1', '1.2'] as const) {
    if (parse(value, { version }) !== value) return false;
  }
  return true;
}

/** Scalar text in the given style; plain falls back to double quotes when plain would change the value. */
export function renderScalar(value: string, style: QuoteStyle): string {
  if (style === 'QUOTE_SINGLE') return `'${value.replaceAll("'", "''")}'`;
  if (style === 'PLAIN' && canBePlain(value)) return value;
  return JSON.stringify(value); // JSON string escapes are valid YAML double-quoted escapes
}

/** The source text of a scalar's value (without anchor/tag), on one line when it spans several. */
export function scalarSource(text: string, node: Scalar): string {
  const [start, end] = rangeOf(node);
  return text.slice(start, end);
}

/** True for an implicit null: a key with nothing after it (`tag:`). */
export function isEmptyScalar(node: Node | null): boolean {
  return node === null || (isScalar(node) && rangeOf(node)[0] === rangeOf(node)[1]);
}

/** The value as Helm decodes it into `interface{}`: the string, or undefined when it is not a string. */
export function helmString(text: string, node: Scalar): string | undefined {
  if (node.tag === STR_TAG) return String(node.value);
  if (node.tag !== undefined) return undefined;
  if (node.type === 'PLAIN') {
    const src = scalarSource(text, node);
    if (src.includes('\n')) return typeof node.value === 'string' ? node.value : undefined;
    const go = goResolvePlain(src);
    return go.tag === 'str' && node.value === src ? src : undefined;
  }
  return typeof node.value === 'string' ? node.value : undefined;
}

/** What a human wrote: the string for quoted scalars, the source text for plain ones, undefined for null. */
export function displayValue(text: string, node: Scalar): string | undefined {
  if (node.value === null && node.tag === undefined) return undefined;
  if (node.type === 'PLAIN' && node.tag === undefined) {
    const src = scalarSource(text, node);
    return src.includes('\n') ? String(node.value) : src;
  }
  return String(node.value);
}

/**
 * The string a Go `string` struct field receives through sigs.k8s.io/yaml (Helm's Chart.yaml / Chart.lock
 * loader): numbers and bools formatted back, null as "". Aliases are followed. Undefined for collections.
 */
export function goStringField(text: string, doc: Document.Parsed, node: unknown): string | undefined {
  if (node === null || node === undefined) return '';
  if (isAlias(node)) return goStringField(text, doc, node.resolve(doc));
  if (!isScalar(node)) return undefined;
  if (node.tag === STR_TAG) return String(node.value);
  if (node.type === 'PLAIN' && node.tag === undefined) {
    const src = scalarSource(text, node);
    return src.includes('\n') ? String(node.value) : goStringFromPlain(src);
  }
  return node.value === null ? '' : String(node.value);
}

/** A mapping key as written: the source text of a plain key (`1.10:` stays "1.10"), the value of a quoted one. */
export function keyString(text: string, key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  if (key.type === 'PLAIN' && key.tag === undefined) return scalarSource(text, key);
  return String(key.value);
}
