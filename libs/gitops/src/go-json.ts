// encoding/json's output for the few value shapes Helm hashes (json.Marshal: HTML-safe escaping).

export type GoJson = string | number | boolean | null | GoJson[] | { [key: string]: GoJson } | GoJsonObject;

/** An object whose keys keep their insertion order (a Go struct); plain objects are Go maps, keys sorted. */
export class GoJsonObject {
  constructor(readonly fields: [string, GoJson][]) {}
}

const HEX = '0123456789abcdef';

/** A JSON string literal exactly as Go's json.Marshal writes it. */
export function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20) {
      if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\b') out += '\\b';
      else if (ch === '\f') out += '\\f';
      else out += `\\u00${HEX[c >> 4] ?? '0'}${HEX[c & 0xf] ?? '0'}`;
    } else if (ch === '<' || ch === '>' || ch === '&') out += `\\u00${c.toString(16)}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd'; // a lone surrogate is invalid UTF-8 for Go
    else out += ch;
  }
  return `${out}"`;
}

/** json.Marshal of a value built from strings, bools, numbers, arrays, Go maps (sorted) and structs (ordered). */
export function goJsonMarshal(v: GoJson): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return goJsonNumber(v);
  if (Array.isArray(v)) return `[${v.map(goJsonMarshal).join(',')}]`;
  if (v instanceof GoJsonObject) return `{${v.fields.map(([k, x]) => `${goJsonString(k)}:${goJsonMarshal(x)}`).join(',')}}`;
  const keys = Object.keys(v).sort(compareUtf8);
  return `{${keys.map((k) => `${goJsonString(k)}:${goJsonMarshal(v[k] ?? null)}`).join(',')}}`;
}

/** Go sorts map keys by their bytes; UTF-16 order differs only for astral vs. high-BMP characters. */
function compareUtf8(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return Buffer.compare(x, y);
}

/** A float64 as encoding/json writes it: 'f' in [1e-6, 1e21), else 'e' with `e-7` / `e+21` (what JS prints too). */
function goJsonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`json: unsupported value: ${n}`);
  return Object.is(n, -0) ? '-0' : String(n);
}
