// How Helm (sigs.k8s.io/yaml over go.yaml.in/yaml/v2, YAML 1.1 rules) reads a plain scalar.
// Used to decide when a value must be quoted and to see Chart.yaml fields exactly as Helm hashes them.

export type GoScalar =
  | { tag: 'str'; value: string }
  | { tag: 'bool'; value: boolean }
  | { tag: 'null' }
  | { tag: 'int'; value: bigint }
  | { tag: 'float'; value: number };

const BOOLS: Record<string, boolean> = {};
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) BOOLS[s] = true;
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) BOOLS[s] = false;
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS: Record<string, number> = {};
for (const s of ['.nan', '.NaN', '.NAN']) SPECIAL_FLOATS[s] = Number.NaN;
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']) SPECIAL_FLOATS[s] = Number.POSITIVE_INFINITY;
for (const s of ['-.inf', '-.Inf', '-.INF']) SPECIAL_FLOATS[s] = Number.NEGATIVE_INFINITY;

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_DECIMAL_FLOAT = /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** go-yaml v2 `resolve("", in)` for an untagged plain scalar (timestamps stay strings, as Helm decodes them). */
export function goResolvePlain(text: string): GoScalar {
  if (text === '') return { tag: 'null' };
  const hint = hintOf(text[0] ?? '');
  if (hint === '') return { tag: 'str', value: text };
  if (text in BOOLS) return { tag: 'bool', value: BOOLS[text] ?? false };
  if (NULLS.has(text)) return { tag: 'null' };
  if (text in SPECIAL_FLOATS) return { tag: 'float', value: SPECIAL_FLOATS[text] ?? 0 };
  if (text === '<<') return { tag: 'str', value: text }; // merge key; as a value it decodes to the string
  if (hint === '.') {
    const f = goParseFloat(text);
    return f === undefined ? { tag: 'str', value: text } : { tag: 'float', value: f };
  }
  if (hint === 'D' || hint === 'S') {
    const plain = text.replaceAll('_', '');
    const i = goParseInt(plain);
    if (i !== undefined) return { tag: 'int', value: i };
    const u = goParseUint(plain);
    if (u !== undefined) return { tag: 'int', value: u };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = goParseFloat(plain);
      if (f !== undefined) return { tag: 'float', value: f };
    }
    if (plain.startsWith('0b')) {
      const b = parseDigits(plain.slice(2), 2);
      if (b !== undefined && b <= UINT64_MAX) return { tag: 'int', value: b };
    } else if (plain.startsWith('-0b')) {
      const b = parseDigits(plain.slice(3), 2);
      if (b !== undefined && -b >= INT64_MIN) return { tag: 'int', value: -b };
    }
  }
  return { tag: 'str', value: text };
}

function hintOf(c: string): '' | 'S' | 'D' | 'M' | '.' {
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return '';
}

function parseDigits(s: string, base: number): bigint | undefined {
  if (s === '') return undefined;
  let n = 0n;
  for (const ch of s.toLowerCase()) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    n = n * BigInt(base) + BigInt(d);
  }
  return n;
}

/** strconv.ParseUint(s, 0, 64). */
function goParseUint(s: string): bigint | undefined {
  if (s === '') return undefined;
  let base = 10;
  let digits = s;
  if (s[0] === '0') {
    const p = (s[1] ?? '').toLowerCase();
    if (s.length >= 3 && (p === 'b' || p === 'o' || p === 'x')) {
      base = p === 'b' ? 2 : p === 'o' ? 8 : 16;
      digits = s.slice(2);
    } else {
      base = 8;
      digits = s.slice(1);
      if (digits === '') return 0n;
    }
  }
  const n = parseDigits(digits, base);
  return n !== undefined && n <= UINT64_MAX ? n : undefined;
}

/** strconv.ParseInt(s, 0, 64). */
function goParseInt(s: string): bigint | undefined {
  const neg = s[0] === '-';
  const body = s[0] === '-' || s[0] === '+' ? s.slice(1) : s;
  const u = goParseUint(body);
  if (u === undefined) return undefined;
  const v = neg ? -u : u;
  return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
}

/** strconv.ParseFloat(s, 64) for decimal input; undefined on syntax or range error. */
function goParseFloat(s: string): number | undefined {
  if (!GO_DECIMAL_FLOAT.test(s)) return undefined;
  const f = Number(s);
  return Number.isFinite(f) ? f : undefined;
}

/** strconv.FormatFloat(x, 'g', -1, 32): shortest digits that round-trip as float32; %e when exp < -4 or exp >= 6. */
export function goFormatFloat32(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  const f = Math.fround(x);
  if (f === Number.POSITIVE_INFINITY) return '+Inf';
  if (f === Number.NEGATIVE_INFINITY) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const neg = f < 0;
  const a = Math.abs(f);
  let exp = 0;
  let digits = '';
  for (let p = 1; p <= 9; p++) {
    const s = a.toExponential(p - 1);
    if (Math.fround(Number(s)) === a || p === 9) {
      const [mant = '', e = '0'] = s.split('e');
      digits = mant.replace('.', '').replace(/0+$/, '') || '0';
      exp = Number(e);
      break;
    }
  }
  let out: string;
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = Math.abs(exp);
    out = `${digits[0] ?? '0'}${frac}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : String(e)}`;
  } else {
    const dp = exp + 1;
    if (dp <= 0) out = `0.${'0'.repeat(-dp)}${digits}`;
    else if (dp >= digits.length) out = digits + '0'.repeat(dp - digits.length);
    else out = `${digits.slice(0, dp)}.${digits.slice(dp)}`;
  }
  return neg ? `-${out}` : out;
}

/**
 * The string a Go `string` field gets from a plain scalar through sigs.k8s.io/yaml: numbers and bools are
 * formatted back (`1.10` → "1.1", `yes` → "true"), null gives "".
 */
export function goStringFromPlain(text: string): string {
  const r = goResolvePlain(text);
  switch (r.tag) {
    case 'str':
      return r.value;
    case 'bool':
      return r.value ? 'true' : 'false';
    case 'null':
      return '';
    case 'int':
      return r.value.toString();
    case 'float':
      return goFormatFloat32(r.value);
  }
}
