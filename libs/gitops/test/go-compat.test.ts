// Our reading of YAML scalars and JSON writing must match Helm's Go stack byte for byte. The expected values
// in fixtures/go-yaml-oracle/expected.json come from running fixtures/go-yaml-oracle/main.go (sigs.k8s.io/yaml
// v1.6.0, the version helm 3.19 uses) over inputs.txt: `go run . < inputs.txt > expected.json`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { goJsonMarshal, goJsonString, GoJsonObject } from '../src/go-json.ts';
import { goFormatFloat32, goResolvePlain, goStringFromPlain } from '../src/go-yaml-scalar.ts';
import { canBePlain, renderScalar } from '../src/scalar-style.ts';
import { sanitizeString } from '../src/helm-digest.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'go-yaml-oracle');
const oracle = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, { kind: string; string: string | null }>;

describe('go-yaml v2 plain scalars, as Helm reads them', () => {
  const entries = Object.entries(oracle);
  it('covers the oracle inputs', () => {
    expect(entries.length).toBeGreaterThan(80);
  });
  it.each(entries.filter(([, r]) => r.string !== null))('%j into a string field', (input, r) => {
    expect(goStringFromPlain(input)).toBe(r.string);
  });
  it.each(entries.filter(([, r]) => r.kind !== 'error'))('%j into interface{}', (input, r) => {
    const tag = goResolvePlain(input).tag;
    expect(tag === 'int' || tag === 'float' ? 'number' : tag).toBe(r.kind);
  });
  it('plain style is used only when Helm and YAML 1.2 both read the string back', () => {
    for (const [input, r] of entries) {
      if (canBePlain(input)) expect(r.kind, input).toBe('str');
    }
    expect(canBePlain('1.2.3')).toBe(true);
    expect(canBePlain('sha256:abc')).toBe(true);
    for (const v of ['1.10', 'yes', 'on', '0x1F', '1_0', '1e3', '1:20', '2001-12-14', '~', 'null', '-1', '.5', 'a b', 'a: b', '#x', '*x', '&x', '!x', '@x', '`x', '%x', '[x', '{x', 'x,y']) expect(canBePlain(v), v).toBe(false);
    expect(renderScalar('1.10', 'PLAIN')).toBe('"1.10"');
    expect(renderScalar("it's", 'QUOTE_SINGLE')).toBe("'it''s'");
    expect(renderScalar('a"b\\c', 'QUOTE_DOUBLE')).toBe('"a\\"b\\\\c"');
  });
  it('formats float32 like strconv.FormatFloat(f, \'g\', -1, 32)', () => {
    const cases: [number, string][] = [[1.1, '1.1'], [1, '1'], [100000, '100000'], [1e6, '1e+06'], [1.5e6, '1.5e+06'], [0.0001, '0.0001'], [0.00001, '1e-05'], [2.5e-5, '2.5e-05'], [0.1, '0.1'], [16777217, '1.6777216e+07'], [-0.5, '-0.5'], [3.5e38, '+Inf'], [Number.NaN, 'NaN'], [123456, '123456'], [1234567, '1.234567e+06']];
    for (const [x, s] of cases) expect(goFormatFloat32(x), String(x)).toBe(s);
  });
});

describe('encoding/json', () => {
  it('escapes like Go (HTML-safe, U+2028/9, control characters)', () => {
    expect(goJsonString('a<b>&c')).toBe('"a\\u003cb\\u003e\\u0026c"');
    expect(goJsonString('q"\\\n\r\t\b\f\u0001\u001f')).toBe('"q\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f"');
    expect(goJsonString('\u2028\u2029é😀')).toBe('"\\u2028\\u2029é😀"');
  });
  it('keeps struct field order and sorts map keys', () => {
    expect(goJsonMarshal([new GoJsonObject([['z', 1], ['a', [true, null]]]), { b: 'x', a: { d: 1, c: 2 } }])).toBe('[{"z":1,"a":[true,null]},{"a":{"c":2,"d":1},"b":"x"}]');
  });
  it('sanitizes like Helm\'s sanitizeString', () => {
    // expected value printed by Go: strings.Map with unicode.IsSpace / unicode.IsPrint
    expect(sanitizeString('a\tb\nc\u00a0d\u0000e\u200bf\u3000g\u0085h\u2028i\u{1F600}\ue000')).toBe('a b c def g h i\u{1F600}');
  });
});
