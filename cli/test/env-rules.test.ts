import { describe, expect, it } from 'vitest';
import { globToRegExp, targetEnvironment } from '../src/env/env-rules.ts';

const rules = [
  { name: 'test', branches: ['main'] },
  { name: 'stage', branches: ['release/*', 'hotfix/**'] },
  { name: 'prod', tags: ['v*'] },
];

describe('environment rules (as the pipeline chart documents them)', () => {
  it('picks the first env whose glob matches the branch or tag', () => {
    expect(targetEnvironment(rules, 'refs/heads/main')).toBe('test');
    expect(targetEnvironment(rules, 'refs/heads/release/1.0')).toBe('stage');
    expect(targetEnvironment(rules, 'refs/heads/hotfix/a/b')).toBe('stage');
    expect(targetEnvironment(rules, 'refs/tags/v1.2.3')).toBe('prod');
  });
  it('matches nothing else: * stops at /, branches are not tags, the whole name must match', () => {
    expect(targetEnvironment(rules, 'refs/heads/release/1.0/x')).toBeUndefined();
    expect(targetEnvironment(rules, 'refs/heads/v1')).toBeUndefined();
    expect(targetEnvironment(rules, 'refs/tags/main')).toBeUndefined();
    expect(targetEnvironment(rules, 'refs/heads/mainline')).toBeUndefined();
  });
  it('treats regex characters literally', () => {
    expect(globToRegExp('a.b+c').test('a.b+c')).toBe(true);
    expect(globToRegExp('a.b+c').test('axb+c')).toBe(false);
  });
});
