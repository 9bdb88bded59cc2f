// The version scheme, as pure functions: documented in README.md ("Version scheme").

/** A release version `X.Y.Z`, numbers kept as decimal strings (no size limit, no leading zeros). */
export interface Release {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
}

const NUM = '(0|[1-9]\\d*)';
const CORE = new RegExp(`^${NUM}\\.${NUM}\\.${NUM}$`);

/** The release a tag names: `<prefix>X.Y.Z`, or bare `X.Y.Z` when the prefix is `v`; else undefined. */
export function releaseOfTag(tag: string, prefix: string): Release | undefined {
  const candidates = [tag.startsWith(prefix) ? tag.slice(prefix.length) : undefined, prefix === 'v' ? tag : undefined];
  for (const text of candidates) {
    const m = text === undefined ? null : CORE.exec(text);
    if (m) return { major: m[1] ?? '0', minor: m[2] ?? '0', patch: m[3] ?? '0' };
  }
  return undefined;
}

const compareNumber = (a: string, b: string): number => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);

export function compareRelease(a: Release, b: Release): number {
  return compareNumber(a.major, b.major) || compareNumber(a.minor, b.minor) || compareNumber(a.patch, b.patch);
}

export const formatRelease = (r: Release): string => `${r.major}.${r.minor}.${r.patch}`;

/** The highest release among tags, with the tag that names it; undefined when none is a release tag. */
export function highestRelease(tags: readonly string[], prefix: string): { tag: string; release: Release } | undefined {
  let best: { tag: string; release: Release } | undefined;
  for (const tag of tags) {
    const release = releaseOfTag(tag, prefix);
    if (release && (!best || compareRelease(release, best.release) > 0)) best = { tag, release };
  }
  return best;
}

const SLUG_MAX = 40;

/**
 * A branch name as one SemVer pre-release identifier: lower case, every run of characters outside
 * [a-z0-9] becomes one `-`, no `-` at either end, at most 40 characters; an all-digit slug gets a `b`
 * in front (a numeric identifier would compare as a number and must not have leading zeros).
 */
export function branchSlug(branch: string): string {
  let slug = branch
    .toLowerCase()
    .replace(/^refs\/heads\//, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX)
    .replace(/-+$/, '');
  if (slug === '') slug = 'detached';
  return /^\d+$/.test(slug) ? `b${slug}`.slice(0, SLUG_MAX) : slug;
}

export interface PreReleaseInput {
  /** Highest release reachable from the commit; undefined means none (start from 0.0.0). */
  readonly base: Release | undefined;
  readonly branch: string;
  /** Commits reachable from the commit but not from the base tag (all commits when there is none). */
  readonly commitsSince: number;
  readonly sha: string;
}

/** `X.Y.(Z+1)-<slug>.<commits>.g<sha7>`: after X.Y.Z, before X.Y.(Z+1), unique per commit, no `+`. */
export function preReleaseVersion(input: PreReleaseInput): string {
  const base = input.base ?? { major: '0', minor: '0', patch: '0' };
  const next = (BigInt(base.patch) + 1n).toString();
  return `${base.major}.${base.minor}.${next}-${branchSlug(input.branch)}.${input.commitsSince}.g${input.sha.slice(0, 7)}`;
}

/** A release line branch: `release/X.Y` (also `release-X.Y`, `release/vX.Y`, `release/X.Y.x`). */
const RELEASE_LINE = new RegExp(`^release[/-]v?${NUM}\\.${NUM}(?:\\.x)?$`);

/** The line `X.Y` a release branch names; undefined for any other branch. */
export function releaseLineOf(branch: string): { major: string; minor: string } | undefined {
  const m = RELEASE_LINE.exec(branch.replace(/^refs\/heads\//, ''));
  return m ? { major: m[1]!, minor: m[2]! } : undefined;
}

/**
 * On a release line branch, the line's own release candidate: `X.Y.Z-rc.<commits>.g<sha7>`, where Z is one past the
 * line's last release (0 when it has none), so stage runs `1.0.0-rc.2.g…` and the tag prod gets reads `1.0.0`. The
 * short sha keeps each commit's version (and image tag) its own. Undefined when the branch names no line, or when a
 * newer release than the line is reachable (then the generic pre-release applies).
 */
export function releaseCandidateVersion(input: PreReleaseInput): string | undefined {
  const line = releaseLineOf(input.branch);
  if (!line) return undefined;
  const base = input.base;
  const sameLine = base !== undefined && base.major === line.major && base.minor === line.minor;
  if (base && !sameLine && compareRelease(base, { ...line, patch: '0' }) > 0) return undefined;
  const patch = sameLine ? (BigInt(base.patch) + 1n).toString() : '0';
  return `${line.major}.${line.minor}.${patch}-rc.${input.commitsSince}.g${input.sha.slice(0, 7)}`;
}
