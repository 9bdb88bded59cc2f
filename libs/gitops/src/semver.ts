// SemVer 2.0.0 parsing and precedence (https://semver.org/#spec-item-11).

export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  /** Pre-release identifiers, e.g. ['rc', '1']; numeric ones have no leading zeros. */
  prerelease: string[];
  /** Build metadata identifiers; ignored for precedence. */
  build: string[];
}

// The regular expression suggested by semver.org, with named groups.
const SEMVER =
  /^(?<major>0|[1-9]\d*)\.(?<minor>0|[1-9]\d*)\.(?<patch>0|[1-9]\d*)(?:-(?<pre>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+(?<build>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Parses a strict SemVer 2 string (no `v` prefix); undefined when invalid. Numbers stay strings (no size limit). */
export function parseSemver(text: string): SemVer | undefined {
  const m = SEMVER.exec(text);
  const g = m?.groups;
  if (g === undefined) return undefined;
  return {
    major: g['major'] ?? '0',
    minor: g['minor'] ?? '0',
    patch: g['patch'] ?? '0',
    prerelease: g['pre'] === undefined ? [] : g['pre'].split('.'),
    build: g['build'] === undefined ? [] : g['build'].split('.'),
  };
}

export function isSemver(text: string): boolean {
  return parseSemver(text) !== undefined;
}

export function formatSemver(v: SemVer): string {
  const pre = v.prerelease.length > 0 ? `-${v.prerelease.join('.')}` : '';
  const build = v.build.length > 0 ? `+${v.build.join('.')}` : '';
  return `${v.major}.${v.minor}.${v.patch}${pre}${build}`;
}

const NUMERIC = /^\d+$/;

/** Compares decimal digit strings without leading zeros. */
function compareNumeric(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareIdentifier(a: string, b: string): -1 | 0 | 1 {
  const an = NUMERIC.test(a);
  const bn = NUMERIC.test(b);
  if (an && bn) return compareNumeric(a, b);
  if (an) return -1; // numeric identifiers have lower precedence than alphanumeric ones
  if (bn) return 1;
  return a === b ? 0 : a < b ? -1 : 1; // ASCII order
}

/**
 * SemVer 2 precedence: -1, 0 or 1. Build metadata is ignored, so `1.0.0+a` and `1.0.0+b` compare equal.
 * Throws a TypeError for a string that is not SemVer.
 */
export function compareSemver(a: string | SemVer, b: string | SemVer): -1 | 0 | 1 {
  const x = toSemver(a);
  const y = toSemver(b);
  const core = compareNumeric(x.major, y.major) || compareNumeric(x.minor, y.minor) || compareNumeric(x.patch, y.patch);
  if (core !== 0) return core;
  if (x.prerelease.length === 0 || y.prerelease.length === 0) {
    // a version without pre-release outranks one with
    return x.prerelease.length === y.prerelease.length ? 0 : x.prerelease.length === 0 ? 1 : -1;
  }
  const n = Math.min(x.prerelease.length, y.prerelease.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifier(x.prerelease[i] ?? '', y.prerelease[i] ?? '');
    if (c !== 0) return c;
  }
  const d = x.prerelease.length - y.prerelease.length;
  return d === 0 ? 0 : d < 0 ? -1 : 1;
}

function toSemver(v: string | SemVer): SemVer {
  if (typeof v !== 'string') return v;
  const parsed = parseSemver(v);
  if (parsed === undefined) throw new TypeError(`not a SemVer 2 version: ${JSON.stringify(v)}`);
  return parsed;
}
