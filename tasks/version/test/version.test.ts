import { rm } from 'node:fs/promises';
import { compareSemver, isValidOciTag, parseSemver } from '@hat/gitops';
import { runTaskLocally, type LocalRunResult } from '@hat/task-runner';
import { devImage, renderTaskObject } from '@hat/task-spec';
import { describe, expect, it } from 'vitest';
import { definition } from '../src/task.ts';
import { cloneRepo, createRepo, type Repo } from './repo-fixture.ts';

const task = renderTaskObject(definition, { version: 'dev', image: devImage(definition.program) });

async function version(repo: Repo, params: Record<string, string> = {}): Promise<LocalRunResult> {
  const result = await runTaskLocally({ task, params, workspaces: { source: repo.dir } });
  if (result.exitCode !== 0) throw new Error(`version task failed (${result.exitCode}): ${result.log}`);
  return result;
}

const isSemverTag = (v: string | undefined): boolean => v !== undefined && parseSemver(v) !== undefined && isValidOciTag(v) && !v.includes('+');

describe('version task', () => {
  it('gives X.Y.Z for a commit tagged vX.Y.Z', async () => {
    const repo = await createRepo();
    await repo.commit('one');
    const sha = await repo.commit('two');
    await repo.git('tag', '-a', 'v1.2.3', '-m', 'release 1.2.3');
    const { results } = await version(repo);
    expect(results).toEqual({ version: '1.2.3', 'short-sha': sha.slice(0, 7), branch: 'main', 'is-release': 'true' });
  });

  it('accepts bare X.Y.Z tags and other prefixes, and ignores tags that are not releases', async () => {
    const repo = await createRepo();
    await repo.commit('one');
    await repo.git('tag', '2.0.0');
    await repo.git('tag', 'v2.1.0-rc.1');
    await repo.git('tag', 'nightly');
    expect((await version(repo)).results['version']).toBe('2.0.0');
    await repo.git('tag', 'app-v3.1.4');
    expect((await version(repo, { 'tag-prefix': 'app-v' })).results['version']).toBe('3.1.4');
  });

  it('gives untagged commits on main a pre-release after the last release and before the next', async () => {
    const repo = await createRepo();
    await repo.commit('one');
    await repo.git('tag', 'v1.2.3');
    await repo.commit('two');
    const sha = await repo.commit('three');
    const first = await version(repo);
    expect(first.results).toEqual({
      version: `1.2.4-main.2.g${sha.slice(0, 7)}`,
      'short-sha': sha.slice(0, 7),
      branch: 'main',
      'is-release': 'false',
    });
    const v = first.results['version'] ?? '';
    expect(isSemverTag(v)).toBe(true);
    expect(compareSemver(v, '1.2.3')).toBe(1);
    expect(compareSemver(v, '1.2.4')).toBe(-1);
    // Deterministic: the same commit, again and on a detached HEAD with the branch from the trigger.
    expect((await version(repo)).results['version']).toBe(v);
    await repo.git('checkout', '--quiet', '--detach', 'HEAD');
    expect((await version(repo, { branch: 'refs/heads/main' })).results).toMatchObject({ version: v, branch: 'main' });
    expect((await version(repo)).results).toMatchObject({ version: `1.2.4-detached.2.g${sha.slice(0, 7)}`, branch: 'detached' });
  });

  it('gives two commits distinct, increasing versions', async () => {
    const repo = await createRepo();
    await repo.commit('one');
    await repo.git('tag', 'v0.4.0');
    await repo.commit('two');
    const a = (await version(repo)).results['version'] ?? '';
    await repo.commit('three');
    const b = (await version(repo)).results['version'] ?? '';
    expect(a).not.toBe(b);
    expect(compareSemver(a, b)).toBe(-1);
    expect(compareSemver(b, '0.4.1')).toBe(-1);
  });

  it('versions a release branch as its line\'s release candidate, from its own last release, not from a newer tag on main', async () => {
    const repo = await createRepo();
    await repo.commit('one');
    await repo.git('tag', 'v1.2.0');
    await repo.git('branch', 'release/1.2');
    await repo.commit('main work');
    await repo.git('tag', 'v1.3.0');
    await repo.commit('more main work');
    const onMain = (await version(repo)).results['version'] ?? '';
    expect(onMain).toMatch(/^1\.3\.1-main\.1\.g[0-9a-f]{7}$/);
    await repo.git('checkout', '--quiet', 'release/1.2');
    await repo.commit('fix 1');
    const fix = await repo.commit('fix 2');
    const { results } = await version(repo);
    // The line's own release candidate: 1.2.1-rc.<commits since v1.2.0> (what stage runs before v1.2.1 is tagged).
    expect(results).toMatchObject({ version: `1.2.1-rc.2.g${fix.slice(0, 7)}`, branch: 'release/1.2', 'is-release': 'false' });
    expect(compareSemver(results['version'] ?? '', '1.2.0')).toBe(1);
    expect(compareSemver(results['version'] ?? '', '1.2.1')).toBe(-1);
  });

  it('starts from 0.0.0 when there is no release tag at all', async () => {
    const repo = await createRepo();
    await repo.commit('one');
    const sha = await repo.commit('two');
    expect((await version(repo)).results['version']).toBe(`0.0.1-main.2.g${sha.slice(0, 7)}`);
  });

  it('sanitises branch names that are not valid in a tag', async () => {
    const repo = await createRepo();
    await repo.commit('one');
    await repo.git('tag', 'v1.0.0');
    const sha = await repo.commit('two');
    const cases: Array<[string, string]> = [
      ['Feature/ÜBER_Cool+stuff..x', 'feature-ber-cool-stuff-x'],
      ['0123', 'b0123'],
      ['--/--', 'detached'],
      [`very-long-${'x'.repeat(60)}`, `very-long-${'x'.repeat(30)}`],
    ];
    for (const [branch, slug] of cases) {
      const { results } = await version(repo, { branch });
      expect(results['version']).toBe(`1.0.1-${slug}.1.g${sha.slice(0, 7)}`);
      expect(results['branch']).toBe(branch);
      expect(isSemverTag(results['version'])).toBe(true);
    }
  });

  it('deepens a shallow clone to find its tags, and gives the same version as a full clone', async () => {
    const origin = await createRepo();
    await origin.commit('one');
    await origin.git('tag', '-a', 'v2.3.4', '-m', 'release');
    for (const n of [2, 3, 4]) await origin.commit(`commit ${n}`);
    const full = (await version(origin)).results['version'];
    expect(full).toMatch(/^2\.3\.5-main\.3\.g/);
    const shallow = await cloneRepo(origin.dir, ['--depth', '1', '--no-tags']);
    expect(await shallow.git('rev-parse', '--is-shallow-repository')).toBe('true');
    const result = await version(shallow);
    expect(result.results['version']).toBe(full);
    expect(result.log).toMatch(/deepened the shallow clone/);
    expect(await shallow.git('rev-parse', '--is-shallow-repository')).toBe('false');
  });

  it('fails clearly, with no version, when a shallow clone cannot be deepened', async () => {
    const origin = await createRepo();
    await origin.commit('one');
    await origin.git('tag', 'v1.0.0');
    await origin.commit('two');
    const shallow = await cloneRepo(origin.dir, ['--depth', '1']);
    await rm(origin.dir, { recursive: true, force: true });
    const result = await runTaskLocally({ task, workspaces: { source: shallow.dir } });
    expect(result.exitCode).toBe(1);
    expect(result.errorLine).toMatch(/error: the clone in workspace source is shallow and could not be deepened/);
    expect(result.results['version']).toBeUndefined();
  });

  it('rejects a workspace that is not a git work tree as bad input', async () => {
    const repo = await createRepo();
    await rm(`${repo.dir}/.git`, { recursive: true });
    const result = await runTaskLocally({ task, workspaces: { source: repo.dir } });
    expect(result.exitCode).toBe(2);
    expect(result.errorLine).toMatch(/is not a git work tree/);
  });
});
