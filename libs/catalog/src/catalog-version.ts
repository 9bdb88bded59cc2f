// Catalog versions are plain SemVer cores (MAJOR.MINOR.PATCH): every published version is a release.

export type Bump = 'major' | 'minor' | 'patch';

export interface CatalogVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

const VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

export function parseCatalogVersion(text: string): CatalogVersion | undefined {
  const m = VERSION.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export const isCatalogVersion = (text: string): boolean => parseCatalogVersion(text) !== undefined;

export const formatCatalogVersion = (v: CatalogVersion): string => `${v.major}.${v.minor}.${v.patch}`;

export function compareCatalogVersions(a: string, b: string): number {
  const x = parseCatalogVersion(a);
  const y = parseCatalogVersion(b);
  if (!x || !y) throw new TypeError(`not a catalog version: ${x ? b : a}`);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

export function bumpVersion(version: string, bump: Bump): string {
  const v = parseCatalogVersion(version);
  if (!v) throw new TypeError(`not a catalog version: ${version}`);
  if (bump === 'major') return formatCatalogVersion({ major: v.major + 1, minor: 0, patch: 0 });
  if (bump === 'minor') return formatCatalogVersion({ major: v.major, minor: v.minor + 1, patch: 0 });
  return formatCatalogVersion({ major: v.major, minor: v.minor, patch: v.patch + 1 });
}

export const majorOf = (version: string): number => parseCatalogVersion(version)?.major ?? Number.NaN;

/** The first version of a new Task. */
export const FIRST_VERSION = '1.0.0';
