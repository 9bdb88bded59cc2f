// hat deploy --pull-request, hat status / hat history --pull-requests, against a real Gitea (test/stack): the CLI
// proposes the deploy as a pull request; status and history show it open, then the version once it is merged.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@hat/task-runner';
import { startGitea, type Gitea, type GiteaRepo, type GiteaUser } from '../../test/stack/index.ts';
import { appFiles } from '../../tasks/deploy/test/helpers.ts';

let gitea: Gitea;
let deployer: GiteaUser;
let prod: GiteaRepo;
let home: string;

beforeAll(async () => {
  gitea = await startGitea();
  deployer = await gitea.createUser('deployer');
  prod = await gitea.createRepo('gitops-prod');
  await gitea.addCollaborator(prod, deployer);
  await gitea.seedRepo(prod, { 'README.md': '# prod\n', ...appFiles('web', '1.0.0') });
  home = await mkdtemp(path.join(os.tmpdir(), 'hat-pr-cli-'));
}, 120_000);
afterAll(async () => {
  await gitea?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

const hat = (args: string[], token = deployer.token) =>
  execa(process.execPath, [path.join(repoRoot, 'cli/bin/hat.mjs'), ...args], {
    reject: false,
    all: true,
    env: { HOME: home, HAT_GIT_USERNAME: deployer.username, HAT_GIT_PASSWORD: deployer.password, HAT_FORGE_TOKEN: token, GIT_AUTHOR_NAME: 'Sam SRE', GIT_AUTHOR_EMAIL: 'sam@example.com' },
  });

describe('hat deploy --pull-request', () => {
  it('opens the pull request; hat status and hat history show it open, then the version once merged', async () => {
    const deployed = await hat(['deploy', 'web', '1.1.0', '--env', 'prod', '--repo', prod.url, '--pull-request', '--source-commit', 'abc1234']);
    expect(deployed.exitCode, deployed.all).toBe(0);
    const [, number, url] = /^pull request #(\d+) (\S+)$/m.exec(deployed.stdout) ?? [];
    expect(number, deployed.stdout).toBeDefined();
    expect(deployed.stdout).toMatch(/^deployed web 1\.0\.0 → 1\.1\.0 \(prod\) [0-9a-f]{40}$/m);

    const status = await hat(['status', '--repo', `prod=${prod.url}`, '--pull-requests']);
    expect(status.exitCode, status.all).toBe(0);
    // The scaffold is no deploy commit: no version yet, the pull request pending.
    expect(status.stdout).toMatch(new RegExp(`^web\\s+- · PR #${number} → 1\\.1\\.0$`, 'm'));
    expect(status.stdout).toContain(`open: web 1.1.0 → prod, pull request #${number} ${url}`);
    const json = await hat(['status', '--repo', `prod=${prod.url}`, '--pull-requests', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ web: { prod: { pullRequest: { number: Number(number), url, version: '1.1.0' } } } });
    const history = await hat(['history', 'web', '--repo', `prod=${prod.url}`, '--pull-requests']);
    expect(history.stdout).toContain(`open: web 1.1.0 → prod, pull request #${number} ${url}`);

    await gitea.mergePullRequest(prod, Number(number));
    const after = await hat(['status', '--repo', `prod=${prod.url}`, '--pull-requests', '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ web: { prod: { version: '1.1.0', sourceCommit: 'abc1234' } } });
    expect(JSON.parse(after.stdout).web.prod.pullRequest).toBeUndefined();
    for (const r of [deployed, status, json, history, after]) expect(r.all).not.toContain(deployer.token);
  });

  it('without a token, or with one the forge refuses: one line, exit non-zero, nothing pushed', async () => {
    const none = await hat(['deploy', 'web', '1.3.0', '--env', 'prod', '--repo', prod.url, '--pull-request'], '');
    expect(none.exitCode).toBe(2);
    expect(none.stderr.trim()).toBe('error: forge-token: pull-request mode needs an API token for the forge (Secret key forge-token, or HAT_FORGE_TOKEN)');
    const refused = await hat(['deploy', 'web', '1.3.0', '--env', 'prod', '--repo', prod.url, '--pull-request'], 'bogus-token-42');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^error: hat-admin\/gitops-prod on http:\S+: the forge refused the token \(HTTP 401\) while trying to read the repository; check forge-token$/m);
    expect(refused.all).not.toContain('bogus-token-42');
  });

  it('an env repo by ssh:// with pull requests: one line naming the flag that gave it, exit 2, before anything is read', async () => {
    const ssh = 'ssh://git@127.0.0.1:1/gitops/prod.git';
    const expected = 'pull-request mode needs an http(s) clone URL (the forge API is found from it), got ssh://…';
    const deploy = await hat(['deploy', 'web', '1.3.0', '--env', 'prod', '--repo', ssh, '--pull-request'], deployer.token);
    expect([deploy.exitCode, deploy.stderr.trim()]).toEqual([2, `error: --repo: ${expected}`]);
    for (const args of [['status'], ['history', 'web']]) {
      const r = await hat([...args, '--repo', `prod=${ssh}`, '--pull-requests'], deployer.token);
      expect([r.exitCode, r.stderr.trim()]).toEqual([2, `error: --repo prod=: ${expected}`]);
    }
  });
});
