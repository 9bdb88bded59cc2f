// deploy-<env> over ssh, against OpenSSH's sshd with a key per repo (test/stack): the Secret holds
// ssh-privatekey and known_hosts instead of username/password.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { privateKeyLines, startGitServer, startSshServer, type GitRepo, type GitServer, type SshKey, type SshServer } from '../../../test/stack/index.ts';
import { appFiles, bare, runDeploy, tempDir } from './helpers.ts';

let server: GitServer;
let ssh: SshServer;
let gitopsTest: GitRepo;
let gitopsProd: GitRepo;
let testKey: SshKey;

beforeAll(async () => {
  server = await startGitServer();
  gitopsTest = await server.createRepo('gitops-test', { username: 'deploy-test', password: 'test-Secret-ssh-1' });
  gitopsProd = await server.createRepo('gitops-prod', { username: 'deploy-prod', password: 'prod-Secret-ssh-1' });
  await server.seedRepo('gitops-test', { 'README.md': '# test env\n', ...appFiles('web', '1.0.0') }, 'scaffold');
  await server.seedRepo('gitops-prod', { 'README.md': '# prod env\n', ...appFiles('web', '1.0.0') }, 'scaffold');
  ssh = await startSshServer({ reposDir: path.join(server.dir, 'repos') });
  testKey = await ssh.grantKey(['gitops-test']);
});
afterAll(async () => {
  await ssh?.stop();
  await server?.stop();
});

/** The ConfigMap (url) and Secret (ssh-privatekey, known_hosts) as Kubernetes mounts them; Secret files are 0644. */
async function sshObjects(url: string, key: SshKey, knownHosts: string | undefined) {
  const dir = await tempDir('hat-ssh-objects-');
  const config = path.join(dir, 'config');
  const secret = path.join(dir, 'secret');
  await mkdir(config);
  await mkdir(secret);
  await writeFile(path.join(config, 'url'), url);
  await writeFile(path.join(secret, 'ssh-privatekey'), key.privateKey, { mode: 0o644 });
  if (knownHosts !== undefined) await writeFile(path.join(secret, 'known_hosts'), knownHosts, { mode: 0o644 });
  return { config, secret };
}

describe('deploy over ssh', () => {
  it('deploys with the env key from the Secret; the key appears nowhere in the log, results or repo', async () => {
    const repo = bare(server, gitopsTest);
    const r = await runDeploy('test', await sshObjects(ssh.repoUrl('gitops-test'), testKey, ssh.knownHosts), { app: 'web', version: '1.1.0' });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.results.commit).toBe(await repo.head());
    expect(parse(await repo.show('apps/web/Chart.yaml')).dependencies[0].version).toBe('1.1.0');
    expect(await repo.log('-1', '--format=%s')).toBe('deploy(web): 1.0.0 → 1.1.0 (test)');
    const everything = [r.log, JSON.stringify(r.results), await repo.everything()].join('\n');
    for (const line of privateKeyLines(testKey)) expect(everything).not.toContain(line);
  });

  it('the test key is refused on the prod repo: one clear line, nothing pushed', async () => {
    const repo = bare(server, gitopsProd);
    const head = await repo.head();
    const r = await runDeploy('test', await sshObjects(ssh.repoUrl('gitops-prod'), testKey, ssh.knownHosts), { app: 'web', version: '9.9.9' });
    expect(r.exitCode).toBe(1);
    expect(r.errorLine).toMatch(/^error: test repo ssh:\/\/\S+@127\.0\.0\.1:\d+\/gitops-prod\.git: authentication refused; check its credentials$/);
    expect(r.log).not.toContain('attempt 2/');
    expect(await repo.head()).toBe(head);
  });

  it('a server whose host key is not in known_hosts is refused, not trusted: nothing pushed', async () => {
    const repo = bare(server, gitopsTest);
    const head = await repo.head();
    const impostor = ssh.knownHostsFor(testKey.publicKey);
    const r = await runDeploy('test', await sshObjects(ssh.repoUrl('gitops-test'), testKey, impostor), { app: 'web', version: '1.2.0' });
    expect(r.exitCode).toBe(1);
    expect(r.errorLine).toMatch(/^error: test repo ssh:\/\/\S+: the server's host key is not the one in known_hosts; check known_hosts in its credentials$/);
    expect(await repo.head()).toBe(head);
  });

  it('without known_hosts it deploys but warns that the host key went unchecked', async () => {
    const r = await runDeploy('test', await sshObjects(ssh.repoUrl('gitops-test'), testKey, undefined), { app: 'web', version: '1.3.0' });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.log).toContain("warning: ssh: no known_hosts beside the key, so the server's host key is accepted unchecked; add known_hosts to pin it");
    const pinned = await runDeploy('test', await sshObjects(ssh.repoUrl('gitops-test'), testKey, ssh.knownHosts), { app: 'web', version: '1.4.0' });
    expect(pinned.log).not.toContain('no known_hosts');
  });
});
