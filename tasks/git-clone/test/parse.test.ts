import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { InputError } from '@hat/task-runtime';
import { credentialForUrl, parseGitCredentials } from '../src/git-credentials.ts';
import { withGitConfig } from '@hat/git';
import { transportOf, urlHasCredentials } from '../src/remote-url.ts';
import { parseLsRemote } from '../src/revision.ts';
import { sshEnv } from '@hat/git';

describe('.git-credentials (git-credential-store format)', () => {
  const text = ['https://ci:p%40ss%3Aword@git.example.com', '', 'http://bot:tok@127.0.0.1:8080/some/path', ''].join('\n');

  it('decodes user and password and matches by protocol, host and port, not path', () => {
    const creds = parseGitCredentials(text, '.git-credentials');
    expect(credentialForUrl(creds, 'https://git.example.com/team/app.git')).toEqual({ origin: 'https://git.example.com', username: 'ci', password: 'p@ss:word' });
    expect(credentialForUrl(creds, 'http://127.0.0.1:8080/other.git')?.username).toBe('bot');
    expect(credentialForUrl(creds, 'http://git.example.com/team/app.git')).toBeUndefined();
    expect(credentialForUrl(creds, 'https://127.0.0.1:8080/x.git')).toBeUndefined();
  });

  it('names the line of a malformed entry, never its content', () => {
    expect(() => parseGitCredentials('https://ci:secret@h\nnot a url secret\n', 'f')).toThrow(new InputError('f line 2 is not a URL; expected https://<user>:<password>@<host>'));
    expect(() => parseGitCredentials('https://onlyuser@h\n', 'f')).toThrow(/f line 1 \(https:\/\/h\) lacks a user or password/);
  });
});

describe('remote URLs', () => {
  it.each([
    ['https://h/a.git', 'http'],
    ['http://127.0.0.1:1/a.git', 'http'],
    ['ssh://git@h:22/a.git', 'ssh'],
    ['git@github.com:acme/app.git', 'ssh'],
    ['/srv/git/app.git', 'other'],
  ] as const)('%s is %s', (url, transport) => {
    expect(transportOf(url)).toBe(transport);
  });

  it('spots credentials in http URLs only', () => {
    expect(urlHasCredentials('https://u:p@h/a.git')).toBe(true);
    expect(urlHasCredentials('https://tok@h/a.git')).toBe(true);
    expect(urlHasCredentials('https://h/a.git')).toBe(false);
    expect(urlHasCredentials('git@h:a.git')).toBe(false);
  });
});

describe('git plumbing helpers', () => {
  it('parses ls-remote --symref output', () => {
    const out = 'ref: refs/heads/main\tHEAD\naaa\tHEAD\naaa\trefs/heads/main\nbbb\trefs/tags/v1\nccc\trefs/tags/v1^{}\n';
    const { refs, headBranch } = parseLsRemote(out);
    expect(headBranch).toBe('main');
    expect(Object.fromEntries(refs)).toEqual({ HEAD: 'aaa', 'refs/heads/main': 'aaa', 'refs/tags/v1': 'bbb', 'refs/tags/v1^{}': 'ccc' });
  });

  it('appends config entries after the ones an env already has', () => {
    expect(withGitConfig({ GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'a.b', GIT_CONFIG_VALUE_0: '1' }, [['safe.directory', '/ws']])).toEqual({
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'a.b',
      GIT_CONFIG_VALUE_0: '1',
      GIT_CONFIG_KEY_1: 'safe.directory',
      GIT_CONFIG_VALUE_1: '/ws',
    });
  });
});

describe('ssh-directory', () => {
  const dir = async (prefix: string): Promise<string> => {
    const d = await mkdtemp(path.join(os.tmpdir(), prefix));
    onTestFinished(() => rm(d, { recursive: true, force: true }));
    return d;
  };

  it('copies the key with mode 0600 and gives ssh an explicit config that pins known_hosts', async () => {
    const secret = await dir('hat-ssh-secret-');
    await writeFile(path.join(secret, 'id_ed25519'), 'KEY\n', { mode: 0o644 });
    await writeFile(path.join(secret, 'known_hosts'), 'git.example.com ssh-ed25519 AAAA\n');
    await writeFile(path.join(secret, 'config'), 'Host git.example.com\n  Port 2222\n');
    const priv = await dir('hat-ssh-private-');
    const { env, keys } = await sshEnv(secret, priv);
    expect(keys).toEqual(['id_ed25519']);
    const config = path.join(priv, 'ssh', 'config');
    expect(env).toEqual({ GIT_SSH_COMMAND: `ssh -F '${config}'` });
    expect((await stat(path.join(priv, 'ssh', 'id_ed25519'))).mode & 0o777).toBe(0o600);
    const text = await readFile(config, 'utf8');
    expect(text).toContain(`Include ${path.join(secret, 'config')}`);
    expect(text).toContain(`IdentityFile ${path.join(priv, 'ssh', 'id_ed25519')}`);
    expect(text).toContain(`UserKnownHostsFile ${path.join(secret, 'known_hosts')}\n  StrictHostKeyChecking yes`);
  });

  it('says when there is no private key', async () => {
    await expect(sshEnv(await dir('hat-ssh-empty-'), await dir('hat-ssh-private-'))).rejects.toThrow(/ssh-directory has no private key/);
  });
});
