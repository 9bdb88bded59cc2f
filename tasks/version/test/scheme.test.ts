import { compareSemver, parseSemver } from '@hat/gitops';
import { describe, expect, it } from 'vitest';
import { branchSlug, highestRelease, preReleaseVersion, releaseCandidateVersion, releaseLineOf, releaseOfTag } from '../src/scheme.ts';

describe('version scheme', () => {
  it('reads release tags with the prefix, or bare with the default prefix v', () => {
    expect(releaseOfTag('v1.2.3', 'v')).toEqual({ major: '1', minor: '2', patch: '3' });
    expect(releaseOfTag('1.2.3', 'v')).toEqual({ major: '1', minor: '2', patch: '3' });
    expect(releaseOfTag('1.2.3', 'rel-')).toBeUndefined();
    for (const tag of ['v1.2', 'v01.2.3', 'v1.2.3-rc.1', 'v1.2.3+b', 'x1.2.3', 'vv1.2.3']) expect(releaseOfTag(tag, 'v')).toBeUndefined();
  });

  it('picks the highest release numerically, not by text', () => {
    expect(highestRelease(['v1.9.0', 'v1.10.0', 'v1.2.30', 'junk'], 'v')?.tag).toBe('v1.10.0');
    expect(highestRelease(['junk'], 'v')).toBeUndefined();
  });

  it('prefixes the short SHA with g so an all-digit SHA is never a numeric identifier with leading zeros', () => {
    const v = preReleaseVersion({ base: { major: '1', minor: '0', patch: '9' }, branch: 'main', commitsSince: 3, sha: '0123456789abcdef' });
    expect(v).toBe('1.0.10-main.3.g0123456');
    expect(parseSemver(v)).toBeDefined();
  });

  it('sorts a pre-release between the release it follows and the next one', () => {
    const v = preReleaseVersion({ base: { major: '9', minor: '99', patch: '99999999999999999999' }, branch: 'x', commitsSince: 1, sha: 'abcdef0' });
    expect(v).toBe('9.99.100000000000000000000-x.1.gabcdef0');
    expect(compareSemver(v, '9.99.99999999999999999999')).toBe(1);
    expect(compareSemver(v, '9.99.100000000000000000000')).toBe(-1);
  });

  it('makes branch slugs valid pre-release identifiers', () => {
    expect(branchSlug('refs/heads/Feature/JIRA-12_x')).toBe('feature-jira-12-x');
    expect(branchSlug('007')).toBe('b007');
    expect(branchSlug('ünï')).toBe('n');
    expect(branchSlug('')).toBe('detached');
  });
});

describe('release line branches (release/X.Y)', () => {
  const sha = '82523c2aa';
  it('gives the line its own release candidate: X.Y.0-rc.N before its first release, X.Y.(Z+1)-rc.N after X.Y.Z', () => {
    expect(releaseLineOf('release/1.0')).toEqual({ major: '1', minor: '0' });
    for (const b of ['release-2.3', 'release/v2.3', 'refs/heads/release/2.3.x']) expect(releaseLineOf(b), b).toEqual({ major: '2', minor: '3' });
    for (const b of ['release/1', 'release/01.0', 'release/1.0/fix', 'main', 'releases/1.0']) expect(releaseLineOf(b), b).toBeUndefined();
    expect(releaseCandidateVersion({ base: undefined, branch: 'release/1.0', commitsSince: 2, sha })).toBe('1.0.0-rc.2.g82523c2');
    // A release of another, older line reachable (main's v0.9.3): the line starts at .0.
    expect(releaseCandidateVersion({ base: { major: '0', minor: '9', patch: '3' }, branch: 'release/1.0', commitsSince: 4, sha })).toBe('1.0.0-rc.4.g82523c2');
    // After v1.0.0 on the line: the next patch's candidates.
    expect(releaseCandidateVersion({ base: { major: '1', minor: '0', patch: '0' }, branch: 'release/1.0', commitsSince: 1, sha })).toBe('1.0.1-rc.1.g82523c2');
    // A newer release than the line is reachable: no candidate of an older line (the generic pre-release applies).
    expect(releaseCandidateVersion({ base: { major: '1', minor: '2', patch: '0' }, branch: 'release/1.0', commitsSince: 1, sha })).toBeUndefined();
    expect(releaseCandidateVersion({ base: undefined, branch: 'main', commitsSince: 1, sha })).toBeUndefined();
  });

  it('a candidate sorts after the line\'s last release and before the release it becomes, and later commits after earlier ones', () => {
    const rc2 = releaseCandidateVersion({ base: undefined, branch: 'release/1.0', commitsSince: 2, sha: 'ffffff0' })!;
    const rc10 = releaseCandidateVersion({ base: undefined, branch: 'release/1.0', commitsSince: 10, sha: '0000000' })!;
    expect(parseSemver(rc2)).toBeDefined();
    expect(compareSemver(rc2, rc10)).toBe(-1);
    expect(compareSemver(rc10, '1.0.0')).toBe(-1);
    expect(compareSemver(releaseCandidateVersion({ base: { major: '1', minor: '0', patch: '0' }, branch: 'release/1.0', commitsSince: 1, sha })!, '1.0.0')).toBe(1);
  });
});
