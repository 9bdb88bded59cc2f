import { compareSemver, parseSemver } from '@hat/gitops';
import { describe, expect, it } from 'vitest';
import { branchSlug, highestRelease, preReleaseVersion, releaseOfTag } from '../src/scheme.ts';

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
