import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '@hat/task-runner';
import { shardOf } from '@hat/gitops';
import { startGitServer, startSshServer, type GitServer } from '../../test/stack/index.ts';

const CREDS = {
  test: { username: 'sre-test', password: 'env-test-Pass-1' },
  prod: { username: 'sre-prod', password: 'env-prod-Pass-2' },
};
let server: GitServer;
let home: string;

beforeAll(async () => {
  server = await startGitServer();
  await server.createRepo('gitops-test', CREDS.test);
  await server.createRepo('gitops-prod', CREDS.prod);
  home = await mkdtemp(path.join(os.tmpdir(), 'hat-cli-home-'));
});
afterAll(async () => {
  await server?.stop();
  await rm(home, { recursive: true, force: true });
});

/** Runs `npx hat …` as a person would, with the env's credential in HAT_GIT_* and a clean HOME. */
function hat(env: 'test' | 'prod', ...args: string[]) {
  return execa(process.execPath, [path.join(repoRoot, 'cli/bin/hat.mjs'), ...args], {
    reject: false,
    env: { HOME: home, HAT_GIT_USERNAME: CREDS[env].username, HAT_GIT_PASSWORD: CREDS[env].password, GIT_AUTHOR_NAME: 'Sam SRE', GIT_AUTHOR_EMAIL: 'sam@example.com' },
  });
}
const show = async (repo: string, file: string) => (await execa('git', ['--git-dir', server.repoPath(repo), 'show', `main:${file}`])).stdout;

describe('hat env, deploy, status, history', () => {
  it('env init scaffolds an empty env repo (ApplicationSet over apps/*), and is idempotent', async () => {
    const url = server.repoUrl('gitops-test');
    const first = await hat('test', 'env', 'init', '--env', 'test', '--repo', url);
    expect(first.exitCode, first.stderr).toBe(0);
    const [appset] = parseAllDocuments(await show('gitops-test', 'argocd/applicationset.yaml')).map((d) => d.toJS());
    expect(appset.kind).toBe('ApplicationSet');
    expect(appset.spec.generators[0].git).toEqual({ repoURL: url, revision: 'main', directories: [{ path: 'apps/*' }] });
    expect(appset.spec.template.spec.source.path).toBe('{{.path.path}}');
    expect(await show('gitops-test', 'README.md')).toContain('# test environment');
    const again = await hat('test', 'env', 'init', '--env', 'test', '--repo', url);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('already initialised');
  });

  it('env add-app adds an umbrella chart and env-only values; refuses to overwrite', async () => {
    const url = server.repoUrl('gitops-test');
    const r = await hat('test', 'env', 'add-app', '--env', 'test', '--repo', url, '--app', 'web', '--chart-repo', 'oci://registry.example/charts', '--version', '1.0.0', '--set', 'replicaCount=2');
    expect(r.exitCode, r.stderr).toBe(0);
    const chart = parse(await show('gitops-test', 'apps/web/Chart.yaml'));
    expect(chart.dependencies).toEqual([{ name: 'web', version: '1.0.0', repository: 'oci://registry.example/charts' }]);
    expect(parse(await show('gitops-test', 'apps/web/values.yaml'))).toEqual({ web: { replicaCount: 2, image: { tag: '1.0.0' } } });
    const dup = await hat('test', 'env', 'add-app', '--env', 'test', '--repo', url, '--app', 'web', '--chart-repo', 'oci://r/c', '--version', '1.0.0');
    expect(dup.exitCode).toBe(2);
    expect(dup.stderr).toMatch(/^error: apps\/web\/Chart\.yaml already exists/m);
  });

  it('hat deploy: dry run, deploy, rollback; status and history read it back from git alone', async () => {
    const url = server.repoUrl('gitops-test');
    const dry = await hat('test', 'deploy', 'web', '1.1.0', '--env', 'test', '--repo', url, '--dry-run');
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+    version: 1.1.0');
    expect(parse(await show('gitops-test', 'apps/web/Chart.yaml')).dependencies[0].version).toBe('1.0.0');
    expect((await hat('test', 'deploy', 'web', '1.1.0', '--env', 'test', '--repo', url, '--source-commit', 'abcdef1234')).exitCode).toBe(0);
    expect((await hat('test', 'deploy', 'web', '1.2.0', '--env', 'test', '--repo', url)).exitCode).toBe(0);
    const lower = await hat('test', 'deploy', 'web', '1.1.0', '--env', 'test', '--repo', url);
    expect(lower.exitCode).toBe(2);
    expect((await hat('test', 'deploy', 'web', '1.1.0', '--env', 'test', '--repo', url, '--rollback')).exitCode).toBe(0);
    expect(await execa('git', ['--git-dir', server.repoPath('gitops-test'), 'log', '-1', '--format=%an']).then((r) => r.stdout)).toBe('Sam SRE');

    const status = await hat('test', 'status', '--repo', `test=${url}`, '--json');
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).web.test).toMatchObject({ version: '1.1.0', rollback: true });
    const table = await hat('test', 'status', '--repo', `test=${url}`);
    expect(table.stdout).toMatch(/^web\s+1\.1\.0 \(rollback\)/m);

    const history = await hat('test', 'history', 'web', '--repo', `test=${url}`, '--json');
    const versions = (JSON.parse(history.stdout) as Array<{ version: string; rollback: boolean }>).map((r) => `${r.version}${r.rollback ? '!' : ''}`);
    expect(versions).toEqual(['1.1.0!', '1.2.0', '1.1.0', '1.0.0']);
    expect((await hat('test', 'history', 'web', '--repo', `test=${url}`)).stdout).toContain('ROLLBACK');
  });

  it('a sharded env repo: init --layout sharded, add-app and deploy into apps/<shard>/<app>/, status reads it; the layout cannot change', async () => {
    await server.createRepo('gitops-sharded', CREDS.test);
    const url = server.repoUrl('gitops-sharded');
    const shard = shardOf('web');
    const init = await hat('test', 'env', 'init', '--env', 'test', '--repo', url, '--layout', 'sharded');
    expect(init.exitCode, init.stderr).toBe(0);
    expect(parse(await show('gitops-sharded', 'hat.yaml'))).toEqual({ layout: 'sharded' });
    const [appset] = parseAllDocuments(await show('gitops-sharded', 'argocd/applicationset.yaml')).map((d) => d.toJS());
    expect(appset.spec.generators[0].git.directories).toEqual([{ path: 'apps/*/*' }]);
    expect(appset.spec.template.metadata.name).toBe('test-{{.path.basename}}');
    expect(await show('gitops-sharded', 'README.md')).toContain('apps/<shard>/<app>/');

    const add = await hat('test', 'env', 'add-app', '--env', 'test', '--repo', url, '--app', 'web', '--chart-repo', 'oci://registry.example/charts', '--version', '1.0.0');
    expect(add.exitCode, add.stderr).toBe(0);
    expect(parse(await show('gitops-sharded', `apps/${shard}/web/Chart.yaml`)).dependencies[0].version).toBe('1.0.0');
    const deploy = await hat('test', 'deploy', 'web', '1.1.0', '--env', 'test', '--repo', url);
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    expect(parse(await show('gitops-sharded', `apps/${shard}/web/values.yaml`))).toEqual({ web: { image: { tag: '1.1.0' } } });
    const status = await hat('test', 'status', '--repo', `test=${url}`, '--json');
    expect(JSON.parse(status.stdout).web.test).toMatchObject({ version: '1.1.0' });

    const change = await hat('test', 'env', 'init', '--env', 'test', '--repo', url, '--layout', 'flat');
    expect(change.exitCode).toBe(2);
    expect(change.stderr.trim().split('\n').at(-1)).toBe('error: --layout: the test repo is already initialised with the sharded layout, which cannot change (its apps are laid out that way); run hat env init --layout sharded');
    const again = await hat('test', 'env', 'init', '--env', 'test', '--repo', url);
    expect(again.stdout).toContain('already initialised');
    const bad = await hat('test', 'env', 'init', '--env', 'test', '--repo', url, '--layout', 'diagonal');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim().split('\n').at(-1)).toBe('error: --layout: expected flat or sharded, got "diagonal"');
  });

  it('the test credential cannot write to prod; bad input is one line with exit 2', async () => {
    const refused = await hat('test', 'env', 'init', '--env', 'prod', '--repo', server.repoUrl('gitops-prod'));
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr.trim().split('\n').at(-1)).toMatch(/^error: prod repo http:\/\/127\.0\.0\.1:\d+\/gitops-prod\.git: authentication refused/);
    expect(refused.stderr).not.toContain(CREDS.test.password);
    const bad = await hat('test', 'deploy', 'We/b', '1.0', '--env', 'test', '--repo', server.repoUrl('gitops-test'));
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^error: bad input: param app: .*; param version: /);
    const badEnv = await hat('test', 'env', 'add-app', '--env', 'Test', '--repo', 'x', '--app', 'web', '--chart-repo', 'oci://r', '--version', '1.0.0');
    expect(badEnv.exitCode).toBe(2);
    expect(badEnv.stderr.trim()).toBe('error: --env: expected a DNS-1123 label (lower-case letters, digits, "-"), got "Test"');
  });

  it("over ssh, hat deploy and status use the person's own git ssh setup (core.sshCommand), no HAT_GIT_* needed", async () => {
    await server.createRepo('gitops-ssh', { username: 'unused', password: 'unused-Pass-3' });
    await server.seedRepo('gitops-ssh', {
      'apps/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\ndependencies:\n  - name: web\n    version: 1.0.0\n    repository: oci://registry.example/charts\n',
      'apps/web/values.yaml': 'web:\n  image:\n    tag: "1.0.0"\n',
    }, 'scaffold');
    const ssh = await startSshServer({ reposDir: path.join(server.dir, 'repos') });
    try {
      const key = await ssh.grantKey(['gitops-ssh']);
      const sshHome = await mkdtemp(path.join(home, 'ssh-home-'));
      await writeFile(path.join(sshHome, 'key'), key.privateKey, { mode: 0o600 });
      await writeFile(path.join(sshHome, 'known_hosts'), ssh.knownHosts);
      const sshCommand = `ssh -o BatchMode=yes -o IdentitiesOnly=yes -i ${path.join(sshHome, 'key')} -o UserKnownHostsFile=${path.join(sshHome, 'known_hosts')}`;
      await writeFile(path.join(sshHome, '.gitconfig'), `[core]\n\tsshCommand = ${sshCommand}\n`);
      const person = (...args: string[]) =>
        execa(process.execPath, [path.join(repoRoot, 'cli/bin/hat.mjs'), ...args], { reject: false, env: { HOME: sshHome, GIT_AUTHOR_NAME: 'Sam SRE', GIT_AUTHOR_EMAIL: 'sam@example.com' } });
      const url = ssh.repoUrl('gitops-ssh');
      const deployed = await person('deploy', 'web', '1.1.0', '--env', 'test', '--repo', url);
      expect(deployed.exitCode, deployed.stderr).toBe(0);
      expect(parse(await show('gitops-ssh', 'apps/web/Chart.yaml')).dependencies[0].version).toBe('1.1.0');
      const status = await person('status', '--repo', `test=${url}`, '--json');
      expect(status.exitCode, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).web.test).toMatchObject({ version: '1.1.0' });
    } finally {
      await ssh.stop();
    }
  });
});
