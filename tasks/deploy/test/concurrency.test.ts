import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareSemver } from '@hat/gitops';
import { startGitServer, type GitRepo, type GitServer } from '../../../test/stack/index.ts';
import { appFiles, bare, envObjects, runDeploy } from './helpers.ts';

const CRED = { username: 'deploy-test', password: 'conc-Secret-2024' };
let server: GitServer;
let repo: GitRepo;

beforeAll(async () => {
  server = await startGitServer();
  repo = await server.createRepo('gitops-test', CRED);
  const files: Record<string, string> = { 'README.md': '# test\n', ...appFiles('solo', '1.0.0') };
  for (let i = 0; i < 32; i++) Object.assign(files, appFiles(`app-${i}`, '1.0.0'));
  await server.seedRepo('gitops-test', files, 'scaffold 33 apps');
});
afterAll(async () => {
  await server?.stop();
});

describe('push under contention', () => {
  it('32 concurrent deploys of different apps into one env repo: 32 commits, linear history, each app at its version', { timeout: 300_000 }, async () => {
    const objects = await envObjects('test', repo, CRED);
    const env = bare(server, repo);
    const before = await env.count();
    const runs = await Promise.all(Array.from({ length: 32 }, (_, i) => runDeploy('test', objects, { app: `app-${i}`, version: `1.${i + 1}.0` })));
    for (const r of runs) expect(r.exitCode, r.log).toBe(0);
    expect(await env.count()).toBe(before + 32);
    expect(await env.log('--merges', '--format=%H')).toBe('');
    const commits = new Set(runs.map((r) => r.results.commit));
    expect(commits.size).toBe(32);
    for (let i = 0; i < 32; i++) {
      expect(parse(await env.show(`apps/app-${i}/Chart.yaml`)).dependencies[0].version).toBe(`1.${i + 1}.0`);
      expect(parse(await env.show(`apps/app-${i}/values.yaml`))[`app-${i}`].image.tag).toBe(`1.${i + 1}.0`);
    }
    // The losers of the race were queued and landed together (libs/git/src/landing-queue.ts), the queue left empty.
    expect(runs.filter((r) => r.log.includes('push rejected (the branch moved); queued the commit')).length).toBeGreaterThan(0);
    expect(runs.filter((r) => /landed \d+ queued commits? in one push/.test(r.log)).length).toBeGreaterThan(0);
    expect(await env.refs('refs/hat/queue/')).toBe('');
  });

  it('8 concurrent deploys of one app with different versions: ends at the highest, never a step backwards in history', async () => {
    const objects = await envObjects('test', repo, CRED);
    const env = bare(server, repo);
    const versions = ['1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0', '1.6.0', '1.7.0', '1.8.0'].sort(() => Math.random() - 0.5);
    const runs = await Promise.all(versions.map((version) => runDeploy('test', objects, { app: 'solo', version })));
    for (const r of runs) {
      // Each run either deployed, found a newer version already there (superseded, exit 0), or was refused as
      // lower than the deployed one when it first looked (exit 2); none failed otherwise.
      expect([0, 2], r.log).toContain(r.exitCode);
      if (r.exitCode === 2) expect(r.errorLine).toMatch(/is lower than .* deployed in test/);
    }
    expect(parse(await env.show('apps/solo/Chart.yaml')).dependencies[0].version).toBe('1.8.0');
    const history = (await env.log('--format=%(trailers:key=Hat-Version,valueonly)', '--', 'apps/solo'))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .reverse();
    expect(history.at(-1)).toBe('1.8.0');
    for (let i = 1; i < history.length; i++) expect(compareSemver(history[i]!, history[i - 1]!)).toBeGreaterThan(0);
  });
});
