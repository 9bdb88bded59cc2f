import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, startSshServer, type GitServer, type SshKey, type SshServer } from './index.ts';

let git: GitServer;
let ssh: SshServer;
let work: string;
let key: SshKey;

beforeAll(async () => {
  git = await startGitServer();
  await git.createRepo('team-a', { username: 'a', password: 'a-Secret-1' });
  await git.createRepo('team-b', { username: 'b', password: 'b-Secret-1' });
  await git.seedRepo('team-a', { 'README.md': '# a\n' }, 'first');
  await git.seedRepo('team-b', { 'README.md': '# b\n' }, 'first');
  ssh = await startSshServer({ reposDir: path.join(git.dir, 'repos') });
  key = await ssh.grantKey(['team-a']);
  work = await mkdtemp(path.join(os.tmpdir(), 'hat-ssh-test-'));
});
afterAll(async () => {
  await ssh?.stop();
  await git?.stop();
  await rm(work, { recursive: true, force: true });
});

async function sshGit(privateKey: string, knownHosts: string, args: string[]) {
  const dir = await mkdtemp(path.join(work, 'client-'));
  await writeFile(path.join(dir, 'key'), privateKey, { mode: 0o600 });
  await writeFile(path.join(dir, 'known_hosts'), knownHosts);
  return execa('git', args, { cwd: dir, env: { GIT_SSH_COMMAND: sshCommand(dir) }, reject: false, all: true });
}

const sshCommand = (dir: string) => `ssh -o BatchMode=yes -o IdentitiesOnly=yes -i ${dir}/key -o UserKnownHostsFile=${dir}/known_hosts -o StrictHostKeyChecking=yes`;

describe('git over ssh (sshd with a forced command per key)', () => {
  it('a key clones and pushes the repos it was granted', async () => {
    const clone = await sshGit(key.privateKey, ssh.knownHosts, ['clone', '-q', ssh.repoUrl('team-a'), 'a']);
    expect(clone.all).toBe('');
    expect(clone.exitCode).toBe(0);
    const dir = path.join(clone.cwd, 'a');
    await writeFile(path.join(dir, 'b.txt'), 'b\n');
    await execa('git', ['add', 'b.txt'], { cwd: dir });
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@x', 'commit', '-qm', 'b'], { cwd: dir });
    const push = await execa('git', ['push', '-q', 'origin', 'HEAD:main'], { cwd: dir, env: { GIT_SSH_COMMAND: sshCommand(clone.cwd) }, reject: false, all: true });
    expect(push.exitCode, push.all).toBe(0);
    expect((await execa('git', ['--git-dir', git.repoPath('team-a'), 'log', '-1', '--format=%s', 'main'])).stdout).toBe('b');
  });

  it('refused: the key on another repo, a key granted nothing, an unknown key, a server with an unknown host key', async () => {
    const other = await sshGit(key.privateKey, ssh.knownHosts, ['clone', '-q', ssh.repoUrl('team-b'), 'b']);
    expect(other.exitCode).not.toBe(0);
    expect(other.all).toContain('Permission to team-b.git denied to this key');
    const stranger = await sshGit(key.privateKey, ssh.knownHostsFor(key.publicKey), ['ls-remote', ssh.repoUrl('team-a')]);
    expect(stranger.exitCode).not.toBe(0);
    expect(stranger.all).toContain('Host key verification failed');
    const ungranted = await sshGit((await ssh.grantKey([])).privateKey, ssh.knownHosts, ['ls-remote', ssh.repoUrl('team-a')]);
    expect(ungranted.all).toContain('Permission to team-a.git denied to this key');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(work, 'stranger-key')]);
    const unknown = await sshGit(await readFile(path.join(work, 'stranger-key'), 'utf8'), ssh.knownHosts, ['ls-remote', ssh.repoUrl('team-a')]);
    expect(unknown.all).toContain('Permission denied (publickey)');
  });
});
