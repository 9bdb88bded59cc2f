// Signed deploy commits (SSH signing, git's gpg.format=ssh) on the real git server: the deploy Task signs with the
// env Secret's signing-key, `hat deploy --sign-key` likewise; `hat history` / `hat status --allowed-signers` say
// whether each deploy commit verifies. Bad keys are refused in one line before anything is pushed; the key is in no
// log, result, commit or argv.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@hat/task-runner';
import { startGitServer, type GitRepo, type GitServer } from '../../test/stack/index.ts';
import { appFiles, bare, envObjects, runDeploy } from '../../tasks/deploy/test/helpers.ts';
import { readDeployHistory } from '@hat/task-deploy';

const CRED = { username: 'deploy-prod', password: 'prod-Secret-5150' };
let server: GitServer;
let repo: GitRepo;
let dir: string;
const key = (name: string) => path.join(dir, name);

beforeAll(async () => {
  server = await startGitServer();
  repo = await server.createRepo('gitops-prod', CRED);
  await server.seedRepo('gitops-prod', { 'README.md': '# prod\n', ...appFiles('web', '1.0.0') }, 'scaffold');
  dir = await mkdtemp(path.join(os.tmpdir(), 'hat-signing-'));
  for (const [name, comment] of [['deployer', 'hat-deploy-prod'], ['stranger', 'someone-else']] as const) {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', key(name)]);
  }
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', key('locked')]);
  await writeFile(key('allowed'), `hat-deploy-prod ${(await readFile(key('deployer.pub'), 'utf8')).trim()}\n`);
});
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const hat = (...args: string[]) =>
  execa(process.execPath, [path.join(repoRoot, 'cli/bin/hat.mjs'), ...args], { reject: false, all: true, env: { HOME: dir, HAT_GIT_USERNAME: CRED.username, HAT_GIT_PASSWORD: CRED.password, GIT_AUTHOR_NAME: 'Sam SRE', GIT_AUTHOR_EMAIL: 'sam@example.com' } });

describe('signed deploy commits', () => {
  it('the Task signs with the Secret\'s signing-key, hat deploy --sign-key likewise, no key: unsigned; history tells them apart', async () => {
    const objects = await envObjects('prod', repo, CRED);
    const privateKey = await readFile(key('deployer'), 'utf8');
    await writeFile(path.join(objects.secret, 'signing-key'), privateKey, { mode: 0o644 }); // as a Secret volume mounts it
    const signed = await runDeploy('prod', objects, { app: 'web', version: '1.1.0' });
    expect(signed.exitCode, signed.log).toBe(0);
    const g = (...args: string[]) => execa('git', ['--git-dir', server.repoPath(repo.name), '-c', `gpg.ssh.allowedSignersFile=${key('allowed')}`, ...args], { reject: false });
    const verified = await g('verify-commit', signed.results.commit!);
    expect(verified.exitCode, verified.stderr).toBe(0);
    expect(verified.stderr).toContain('Good "git" signature for hat-deploy-prod');

    const other = await hat('deploy', 'web', '1.2.0', '--env', 'prod', '--repo', repo.url, '--sign-key', key('stranger'));
    expect(other.exitCode, other.all).toBe(0);
    const unsigned = await hat('deploy', 'web', '1.3.0', '--env', 'prod', '--repo', repo.url);
    expect(unsigned.exitCode, unsigned.all).toBe(0);

    const records = await readDeployHistory('prod', repo.url, 'main', { kind: 'basic', ...CRED }, key('allowed'));
    const strangerPrint = (await execa('ssh-keygen', ['-l', '-f', key('stranger.pub')])).stdout.split(' ')[1];
    expect(records.map((r) => [r.version, r.signature])).toEqual([
      ['1.3.0', { status: 'unsigned' }],
      ['1.2.0', { status: 'not trusted', key: strangerPrint }],
      ['1.1.0', { status: 'good', signer: 'hat-deploy-prod', key: expect.stringMatching(/^SHA256:/) }],
    ]);
    const history = await hat('history', 'web', '--repo', `prod=${repo.url}`, '--allowed-signers', key('allowed'));
    expect(history.exitCode, history.all).toBe(0);
    expect(history.stdout).toMatch(/1\.0\.0 → 1\.1\.0 .* good \(hat-deploy-prod\)/);
    expect(history.stdout).toContain(`NOT TRUSTED (${strangerPrint})`);
    expect(history.stdout).toMatch(/1\.2\.0 → 1\.3\.0 .* unsigned/);
    const status = await hat('status', '--repo', `prod=${repo.url}`, '--allowed-signers', key('allowed'), '--json');
    expect(JSON.parse(status.stdout).web.prod.signature).toEqual({ status: 'unsigned' });

    // The key is nowhere but in the Secret: not in the log, the results or the repo.
    const body = privateKey.split('\n')[1]!;
    for (const text of [signed.log, JSON.stringify(signed.results), other.all, await bare(server, repo).everything()]) expect(text).not.toContain(body);
  });

  it('a malformed or passphrase-protected key: one line naming where it came from, exit 2, nothing pushed', async () => {
    const objects = await envObjects('prod', repo, CRED);
    const head = await bare(server, repo).head();
    await writeFile(path.join(objects.secret, 'signing-key'), '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n');
    const bad = await runDeploy('prod', objects, { app: 'web', version: '2.0.0' });
    expect(bad.exitCode).toBe(2);
    expect(bad.errorLine).toBe('error: Secret hat-gitops-prod key signing-key: expected an unencrypted OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----), but ssh-keygen cannot read it');
    expect(bad.log).not.toContain('not a key');
    const locked = await hat('deploy', 'web', '2.0.0', '--env', 'prod', '--repo', repo.url, '--sign-key', key('locked'));
    expect(locked.exitCode).toBe(2);
    expect(locked.stderr.trim()).toBe(`error: --sign-key ${key('locked')}: expected an unencrypted OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----), but it is protected by a passphrase`);
    expect(await bare(server, repo).head()).toBe(head);
    const missing = await hat('history', 'web', '--repo', `prod=${repo.url}`, '--allowed-signers', key('nope'));
    expect([missing.exitCode, missing.stderr.trim()]).toEqual([2, `error: --allowed-signers: cannot read ${key('nope')} (expected git's allowed signers file: "<principal> ssh-ed25519 AAAA…" per line)`]);
  });
});
