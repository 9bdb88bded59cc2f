// Pull-request mode (ConfigMap mode: pull-request) against a real Gitea (test/stack): the deploy commit goes to branch
// hat/<env>/<app> and one pull request per app and env is opened, then updated by a newer version; merged, the env
// runs it. Errors: a refused token, a repo that is not there, a token that may not open pull requests (the branch is
// deleted again), the forge down (bounded retries). No token in any log.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitea, type Gitea, type GiteaRepo, type GiteaUser } from '../../../test/stack/index.ts';
import { appFiles, envObjects, runDeploy } from './helpers.ts';

let gitea: Gitea;
let deployer: GiteaUser;
let prod: GiteaRepo;

interface Pull {
  number: number;
  state: string;
  merged: boolean;
  title: string;
  body: string;
  html_url: string;
  head: { ref: string; sha: string };
  base: { ref: string };
}

/** The env repo on Gitea's disk (no HTTP). */
const onDisk = (repo: GiteaRepo) => async (...args: string[]) =>
  (await execa('git', ['--git-dir', path.join(gitea.dir, 'repos', repo.owner, `${repo.name}.git`), ...args])).stdout;

/** prod's ConfigMap and Secret in pull-request mode: the deployer's password for git, its token for the API. */
async function prObjects(repo: GiteaRepo, token = deployer.token) {
  const objects = await envObjects('prod', repo, { username: deployer.username, password: deployer.password });
  await writeFile(path.join(objects.config, 'mode'), 'pull-request');
  await writeFile(path.join(objects.config, 'forge'), 'gitea');
  await writeFile(path.join(objects.secret, 'forge-token'), token);
  return objects;
}

const openPulls = async (repo: GiteaRepo) => (await gitea.api('GET', `/repos/${repo.owner}/${repo.name}/pulls?state=open`)).json() as Pull[];

beforeAll(async () => {
  gitea = await startGitea();
  deployer = await gitea.createUser('deployer');
  prod = await gitea.createRepo('gitops-prod');
  await gitea.addCollaborator(prod, deployer);
  await gitea.seedRepo(prod, { 'README.md': '# prod\n', ...appFiles('web', '1.0.0'), ...appFiles('api', '2.0.0') });
}, 120_000);
afterAll(async () => {
  await gitea?.stop();
});

describe('deploy in pull-request mode, on a real Gitea', () => {
  it('opens one pull request per app and env with the deploy commit and its diff; a newer version updates it; merged, the env runs it', async () => {
    const main = await onDisk(prod)('rev-parse', 'main');
    const objects = await prObjects(prod);
    const first = await runDeploy('prod', objects, { app: 'web', version: '1.1.0', 'source-url': 'http://git.example/web', 'source-commit': 'c0ffee1' });
    expect(first.exitCode, first.log).toBe(0);
    expect(await onDisk(prod)('rev-parse', 'main')).toBe(main); // nothing pushed to the env branch
    const [pr, ...others] = await openPulls(prod);
    expect(others).toEqual([]);
    expect(pr).toMatchObject({ title: 'deploy(web): 1.0.0 → 1.1.0 (prod)', base: { ref: 'main' }, head: { ref: 'hat/prod/web' } });
    expect(first.results).toMatchObject({ 'pull-request-url': pr!.html_url, 'pull-request-number': String(pr!.number), changed: 'true', 'previous-version': '1.0.0' });
    expect(first.results['commit']).toBe(pr!.head.sha);
    // The branch holds exactly the deploy commit, on the env branch's head, with push mode's trailers.
    expect(await onDisk(prod)('rev-parse', 'hat/prod/web^')).toBe(main);
    const message = await onDisk(prod)('log', '-1', '--format=%B', 'hat/prod/web');
    expect(message).toContain('Hat-Version: 1.1.0');
    expect(message).toContain('Hat-Source-Commit: c0ffee1');
    const diff = (await gitea.api('GET', `/repos/${prod.owner}/${prod.name}/pulls/${pr!.number}.diff`)).body.toString('utf8');
    expect(diff).toContain('-    version: 1.0.0\n+    version: 1.1.0');
    expect(diff).toContain('-    tag: "1.0.0"  # set by deploy\n+    tag: "1.1.0"  # set by deploy');
    expect(pr!.body).toContain('```diff');
    expect(pr!.body).toContain('- Source: http://git.example/web at `c0ffee1`');

    // A newer version: the same pull request, its branch moved to the new commit.
    const second = await runDeploy('prod', objects, { app: 'web', version: '1.2.0' });
    expect(second.exitCode, second.log).toBe(0);
    const [updated, ...none] = await openPulls(prod);
    expect(none).toEqual([]);
    expect(updated).toMatchObject({ number: pr!.number, title: 'deploy(web): 1.0.0 → 1.2.0 (prod)' });
    expect(second.results['commit']).toBe(updated!.head.sha);
    expect(second.log).toContain(`updated pull request #${pr!.number}`);
    // An older one than the pull request proposes: left as it is. The same one: unchanged.
    const older = await runDeploy('prod', objects, { app: 'web', version: '1.1.5' });
    expect(older.exitCode, older.log).toBe(0);
    expect(older.results).toMatchObject({ changed: 'false', commit: '', 'pull-request-number': String(pr!.number) });
    expect(older.log).toContain(`pull request #${pr!.number} proposes web 1.2.0, newer than 1.1.5`);
    const same = await runDeploy('prod', objects, { app: 'web', version: '1.2.0' });
    expect(same.results).toMatchObject({ changed: 'false', 'pull-request-number': String(pr!.number) });
    expect((await openPulls(prod))[0]!.head.sha).toBe(updated!.head.sha);

    // Merged (a person, or a policy): the env branch runs 1.2.0; the same deploy again is unchanged, no new pull request.
    await gitea.mergePullRequest(prod, pr!.number);
    expect(await onDisk(prod)('show', 'main:apps/web/Chart.yaml')).toContain('version: 1.2.0');
    const again = await runDeploy('prod', objects, { app: 'web', version: '1.2.0' });
    expect(again.exitCode, again.log).toBe(0);
    expect(again.results).toMatchObject({ changed: 'false', 'pull-request-url': '' });
    expect(await openPulls(prod)).toEqual([]);
    // Lower than what the env runs: refused as in push mode.
    const lower = await runDeploy('prod', objects, { app: 'web', version: '1.1.0' });
    expect(lower.exitCode).toBe(2);
    expect(lower.errorLine).toBe('error: version 1.1.0 is lower than 1.2.0 deployed in prod; pass rollback=true (--rollback) to roll back');
    for (const r of [first, second, older, same, again, lower]) expect(r.log).not.toContain(deployer.token);
  });

  it('wait-for-merge: waits until the pull request is merged; one closed unmerged fails naming it', async () => {
    const repo = await gitea.createRepo('gitops-wait');
    await gitea.addCollaborator(repo, deployer);
    await gitea.seedRepo(repo, appFiles('web', '1.0.0'));
    const objects = await prObjects(repo);
    const act = async (how: 'merge' | 'close') => {
      for (let i = 0; i < 300; i++) {
        const [pr] = await openPulls(repo);
        if (pr) {
          if (how === 'merge') await gitea.mergePullRequest(repo, pr.number);
          else await gitea.api('PATCH', `/repos/${repo.owner}/${repo.name}/pulls/${pr.number}`, { state: 'closed' });
          return pr.number;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no pull request opened in 30 s');
    };
    const [merged, number] = await Promise.all([runDeploy('prod', objects, { app: 'web', version: '1.1.0', 'wait-for-merge': 'true', 'merge-timeout': '60s' }), act('merge')]);
    expect(merged.exitCode, merged.log).toBe(0);
    expect(merged.log).toContain(`pull request #${number} merged`);
    expect(await onDisk(repo)('show', 'main:apps/web/Chart.yaml')).toContain('version: 1.1.0');

    const [closed, closedNumber] = await Promise.all([runDeploy('prod', objects, { app: 'web', version: '1.2.0', 'wait-for-merge': 'true', 'merge-timeout': '60s' }), act('close')]);
    expect(closed.exitCode).toBe(1);
    expect(closed.errorLine).toMatch(new RegExp(`^error: pull request #${closedNumber} was closed without merging: http`));
  });

  it('concurrent deploys of different apps each get their own pull request', async () => {
    const repo = await gitea.createRepo('gitops-many');
    await gitea.addCollaborator(repo, deployer);
    const apps = ['a1', 'a2', 'a3', 'a4'];
    await gitea.seedRepo(repo, Object.assign({}, ...apps.map((a) => appFiles(a, '1.0.0'))));
    const objects = await prObjects(repo);
    const runs = await Promise.all(apps.map((app) => runDeploy('prod', objects, { app, version: '1.5.0' })));
    for (const r of runs) expect(r.exitCode, r.log).toBe(0);
    const pulls = await openPulls(repo);
    expect(pulls.map((p) => p.head.ref).sort()).toEqual(apps.map((a) => `hat/prod/${a}`));
    expect(new Set(runs.map((r) => r.results['pull-request-number'])).size).toBe(apps.length);
  });

  it('a refused token, a repo that is not there, a bad mode: one line each, nothing pushed', async () => {
    const branches = async () => (await onDisk(prod)('for-each-ref', '--format=%(refname)', 'refs/heads/')).split('\n').sort();
    const before = await branches();
    const refused = await runDeploy('prod', await prObjects(prod, 'not-a-token-0123456789'), { app: 'api', version: '2.1.0' });
    expect(refused.exitCode).toBe(1);
    expect(refused.errorLine).toBe(`error: ${prod.owner}/${prod.name} on ${gitea.apiUrl}: the forge refused the token (HTTP 401) while trying to read the repository; check forge-token`);
    expect(refused.log).not.toContain('not-a-token-0123456789');

    const missing = await runDeploy('prod', await prObjects({ ...prod, name: 'gitops-nowhere', url: prod.url.replace('gitops-prod', 'gitops-nowhere') }), { app: 'api', version: '2.1.0' });
    expect(missing.exitCode).toBe(1);
    expect(missing.errorLine).toMatch(/^error: hat-admin\/gitops-nowhere on .*: not found while trying to read the repository \(HTTP 404\); check the repo URL/);

    const objects = await prObjects(prod);
    await writeFile(path.join(objects.config, 'mode'), 'merge-request');
    const badMode = await runDeploy('prod', objects, { app: 'api', version: '2.1.0' });
    expect(badMode.exitCode).toBe(2);
    expect(badMode.errorLine).toBe('error: ConfigMap hat-gitops-prod key mode: expected push or pull-request, got "merge-request"');
    await writeFile(path.join(objects.config, 'mode'), 'pull-request');
    await writeFile(path.join(objects.config, 'forge'), 'github');
    const badForge = await runDeploy('prod', objects, { app: 'api', version: '2.1.0' });
    expect(badForge.exitCode).toBe(2);
    expect(badForge.errorLine).toBe('error: forge: expected one of gitea, forgejo (GitHub and GitLab are not supported yet), got "github"');
    expect(await branches()).toEqual(before);
  });

  it('a token that may not open pull requests: the branch it pushed is deleted again, no branch left without its pull request', async () => {
    const token = await readOnlyToken();
    const result = await runDeploy('prod', await prObjects(prod, token), { app: 'api', version: '2.2.0' });
    expect(result.exitCode).toBe(1);
    expect(result.errorLine).toMatch(/^error: .*the token may not open a pull request from hat\/prod\/api into main \(HTTP 403/);
    expect(result.log).toContain('deleted branch hat/prod/api again');
    expect(await onDisk(prod)('for-each-ref', 'refs/heads/hat/prod/api')).toBe('');
    expect(await openPulls(prod)).toEqual([]);
    expect(result.log).not.toContain(token);
  });

  it('branch protection refusing the push of hat/<env>/<app>: one line naming the branch, no pull request', async () => {
    const repo = await gitea.createRepo('gitops-guarded');
    await gitea.addCollaborator(repo, deployer);
    await gitea.seedRepo(repo, appFiles('web', '1.0.0'));
    await gitea.api('POST', `/repos/${repo.owner}/${repo.name}/branch_protections`, { rule_name: 'hat/**', enable_push: false });
    const result = await runDeploy('prod', await prObjects(repo), { app: 'web', version: '1.1.0' });
    expect(result.exitCode).toBe(1);
    expect(result.errorLine).toMatch(/^error: prod repo http:\S+\/gitops-guarded\.git: the server refused the push to branch hat\/prod\/web \(.*\); check its branch protection and the credential's rights$/);
    expect(await onDisk(repo)('for-each-ref', 'refs/heads/hat/')).toBe('');
    expect(await openPulls(repo)).toEqual([]);
  });

  it('the forge down: bounded retries, then one line naming it; nothing pushed', async () => {
    await gitea.pause();
    try {
      const result = await runDeploy('prod', await prObjects(prod), { app: 'api', version: '2.3.0' });
      expect(result.exitCode).toBe(1);
      expect(result.errorLine).toMatch(new RegExp(`^error: cannot reach the forge API ${gitea.apiUrl.replace(/[.]/g, '\\.')} \\(read the repository\\) after 3 attempts: .*ECONNREFUSED`));
    } finally {
      await gitea.resume();
    }
    expect(await onDisk(prod)('for-each-ref', 'refs/heads/hat/prod/api')).toBe('');
  });
});

/** A read-only API token of the deployer, made with its password (Gitea makes tokens only with basic auth). */
async function readOnlyToken(): Promise<string> {
  const res = await fetch(`${gitea.apiUrl}/users/${deployer.username}/tokens`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${deployer.username}:${deployer.password}`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'read-only', scopes: ['read:repository', 'read:user'] }),
  });
  if (res.status !== 201) throw new Error(`read-only token: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { sha1: string }).sha1;
}
