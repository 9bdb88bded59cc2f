import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSemver, formatSemver, isDns1123Label, isHelmChartVersion, isValidOciTag, parseSemver } from '../src/index.ts';

describe('parseSemver', () => {
  it('parses core, pre-release and build', () => {
    expect(parseSemver('1.2.3-rc.1+build.5')).toEqual({ major: '1', minor: '2', patch: '3', prerelease: ['rc', '1'], build: ['build', '5'] });
    expect(parseSemver('0.0.0')).toEqual({ major: '0', minor: '0', patch: '0', prerelease: [], build: [] });
    expect(parseSemver('99999999999999999999.0.0')?.major).toBe('99999999999999999999');
  });
  it.each(['1.2', '1', 'v1.2.3', '01.2.3', '1.02.3', '1.2.3-01', '1.2.3-', '1.2.3+', '1.2.3-a..b', ' 1.2.3', '1.2.3 ', '1.2.3-ü', ''])('rejects %j', (v) => {
    expect(parseSemver(v)).toBeUndefined();
  });
  it('accepts the spec\'s odd but valid forms', () => {
    for (const v of ['1.0.0-0A.is.legal', '1.0.0-x-y-z.--', '1.0.0+0.build.1-rc.10000aaa-kk-0.1', '1.0.0-alpha0.valid', '1.0.0-00a']) expect(parseSemver(v)).toBeDefined();
  });
  it('round-trips through formatSemver', () => {
    for (const v of ['1.2.3', '1.2.3-rc.1', '1.2.3+b', '1.2.3-x.7+b.8']) expect(formatSemver(parseSemver(v) ?? (undefined as never))).toBe(v);
  });
});

describe('compareSemver (SemVer 2 §11)', () => {
  it('orders the spec example chain', () => {
    const chain = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '2.0.0', '10.0.0'];
    for (let i = 0; i < chain.length; i++) {
      for (let j = 0; j < chain.length; j++) {
        expect(compareSemver(chain[i] ?? '', chain[j] ?? ''), `${chain[i]} vs ${chain[j]}`).toBe(Math.sign(i - j));
      }
    }
  });
  it('compares numbers numerically, also beyond 2^53', () => {
    expect(compareSemver('1.10.0', '1.9.0')).toBe(1);
    expect(compareSemver('9007199254740993.0.0', '9007199254740992.0.0')).toBe(1);
    // Numeric pre-release identifiers beyond 2^53 (e.g. timestamps) keep their order: the npm semver package,
    // which compares them as JavaScript numbers, calls these two equal (see docs/architecture.md).
    expect(compareSemver('1.0.0-20261201141508123456', '1.0.0-20261201141508123455')).toBe(1);
    expect(compareSemver('1.0.0-9007199254740993', '1.0.0-9007199254740992')).toBe(1);
    expect(compareSemver('1.0.0-rc.10', '1.0.0-rc.9')).toBe(1);
  });
  it('ignores build metadata', () => {
    expect(compareSemver('1.0.0+a', '1.0.0+b')).toBe(0);
  });
  it('throws for non-SemVer input', () => {
    expect(() => compareSemver('1.0', '1.0.0')).toThrow(/not a SemVer 2 version: "1.0"/);
  });
  const version = fc
    .tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.array(fc.oneof(fc.nat(12).map(String), fc.constantFrom('a', 'b', 'rc', 'alpha', 'x-1')), { maxLength: 3 }))
    .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre.length > 0 ? `-${pre.join('.')}` : ''}`);
  it('is a total order (antisymmetric, transitive)', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(compareSemver(a, b)).toBe(-compareSemver(b, a) || 0);
        if (compareSemver(a, b) <= 0 && compareSemver(b, c) <= 0) expect(compareSemver(a, c)).toBeLessThanOrEqual(0);
        if (compareSemver(a, b) === 0) expect(a).toBe(b);
      }),
      { numRuns: 500 },
    );
  });
});

describe('names', () => {
  it('isValidOciTag', () => {
    for (const t of ['1.2.3', 'latest', '_x', 'A-b.c_d', 'a'.repeat(128)]) expect(isValidOciTag(t), t).toBe(true);
    for (const t of ['', '-x', '.x', '1.2.3+b', 'a'.repeat(129), 'a b', 'ü']) expect(isValidOciTag(t), t).toBe(false);
  });
  it('isDns1123Label', () => {
    for (const n of ['a', 'web', 'my-app-2', '0', 'a'.repeat(63)]) expect(isDns1123Label(n), n).toBe(true);
    for (const n of ['', 'A', '-a', 'a-', 'a_b', 'a.b', 'a'.repeat(64)]) expect(isDns1123Label(n), n).toBe(false);
  });
  it('isHelmChartVersion (Masterminds semver, lenient)', () => {
    for (const v of ['1.2.3', '1.10', '2', 'v1.2.3', '1.2.3-rc.1+b']) expect(isHelmChartVersion(v), v).toBe(true);
    for (const v of ['', 'latest', '01.2.3', '1.2.3.4', '1.2.3-', '^1.2.3']) expect(isHelmChartVersion(v), v).toBe(false);
  });
});
