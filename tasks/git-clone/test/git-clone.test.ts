import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitAuthConfigArgs, privateKeyLines, startGitServer, startSshServer, type GitRepo, type GitServer, type SshKey, type SshServer } from '../../../test/stack/index.ts';
import { basicAuthWorkspace, clone, gitDirText, gitIn, tempDir } from './helpers.ts';

describe('git-clone against a real git server (smart HTTP, basic auth)', () => {
  let server: GitServer;
  let repo: GitRepo;
  let first = '';
  let second = '';
  let feature = '';
  let auth = '';
  const password = 'clone-Secret-9f3a';

  beforeAll(async () => {
    server = await startGitServer();
    repo = await server.createRepo('team/app', { username: 'ci', password });
    first = await server.seedRepo('team/app', { 'README.md': 'one\n', 'src/app.txt': 'v1\n' }, 'first');
    second = await server.seedRepo('team/app', { 'README.md': 'two\n' }, 'second');
    feature = await server.seedRepo('team/app', { 'FEATURE.md': 'wip\n' }, 'feature work', { branch: 'feature/x' });
    // An annotated tag on the first commit, made in the bare repo itself.
    await execa('git', ['--git-dir', repo.path, '-c', 'user.name=t', '-c', 'user.email=t@t', 'tag', '-a', '-m', 'release', 'v1.0.0', first]);
  });
  beforeAll(async () => {
    auth = await basicAuthWorkspace(server.url, 'ci', password, await mkdtemp(path.join(os.tmpdir(), 'hat-basic-auth-')));
  });
  afterAll(async () => {
    await server?.stop();
    if (auth) await rm(auth, { recursive: true, force: true });
  });

  /** The password, its base64 form in an Authorization header, and the URL-encoded form must appear nowhere. */
  const expectNoSecret = (text: string): void => {
    expect(text).not.toContain(password);
    expect(text).not.toContain(Buffer.from(`ci:${password}`).toString('base64'));
  };

  it('clones a branch shallowly, as a local branch, with results and no credential anywhere', async () => {
    const run = await clone({ url: repo.url }, { 'basic-auth': auth });
    expect(run.errorLine).toBeUndefined();
    expect(run.exitCode).toBe(0);
    expect(run.results).toMatchObject({ commit: second, url: repo.url, 'CHAINS-GIT_URL': repo.url, 'CHAINS-GIT_COMMIT': second });
    expect(run.results['committer-date']).toMatch(/^\d{10}$/);
    expect(await readFile(path.join(run.output, 'README.md'), 'utf8')).toBe('two\n');
    expect(await gitIn(run.output, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(await gitIn(run.output, 'rev-list', '--count', 'HEAD')).toBe('1');
    expect(await gitIn(run.output, 'remote', 'get-url', 'origin')).toBe(repo.url);
    expectNoSecret(run.log);
    expectNoSecret(JSON.stringify(run.results));
    expectNoSecret(await gitDirText(run.output));
    expect(await readFile(path.join(run.output, '.git', 'config'), 'utf8')).not.toMatch(/extraheader|authorization|ci:/i);
  });

  it('clones a branch whose name has a slash (also as refs/heads/…), and the remote default branch with HEAD', async () => {
    const branch = await clone({ url: repo.url, revision: 'feature/x' }, { 'basic-auth': auth });
    expect(branch.results['commit']).toBe(feature);
    expect(await gitIn(branch.output, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('feature/x');
    const head = await clone({ url: repo.url, revision: 'HEAD' }, { 'basic-auth': auth });
    expect(head.results['commit']).toBe(second);
    // What a push trigger passes: the full ref, still checked out as the branch.
    const full = await clone({ url: repo.url, revision: 'refs/heads/feature/x' }, { 'basic-auth': auth });
    expect(full.results['commit']).toBe(feature);
    expect(await gitIn(full.output, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('feature/x');
  });

  it('clones an annotated tag at the commit it points to, with the tag present locally', async () => {
    const run = await clone({ url: repo.url, revision: 'v1.0.0' }, { 'basic-auth': auth });
    expect(run.exitCode).toBe(0);
    expect(run.results['commit']).toBe(first);
    expect(await readFile(path.join(run.output, 'README.md'), 'utf8')).toBe('one\n');
    expect(await gitIn(run.output, 'describe', '--tags', '--exact-match')).toBe('v1.0.0');
  });

  it('fetches a commit by its SHA (not a branch tip) with depth 1, and the full history with depth 0', async () => {
    const shallow = await clone({ url: repo.url, revision: first }, { 'basic-auth': auth });
    expect(shallow.exitCode).toBe(0);
    expect(shallow.results['commit']).toBe(first);
    expect(await gitIn(shallow.output, 'rev-list', '--count', 'HEAD')).toBe('1');
    const full = await clone({ url: repo.url, revision: second, depth: '0' }, { 'basic-auth': auth });
    expect(full.results['commit']).toBe(second);
    expect(await gitIn(full.output, 'rev-list', '--count', 'HEAD')).toBe('2');
    expect(await gitIn(full.output, 'rev-parse', '--is-shallow-repository')).toBe('false');
  });

  it('fetches every tag with fetch-tags=true (what the version task needs), not only those git follows', async () => {
    // A tag on another branch is not followed by a fetch of main; fetch-tags brings it too.
    await execa('git', ['--git-dir', repo.path, 'tag', 'v0.9.0-feature', feature]);
    const withTags = await clone({ url: repo.url, revision: 'main', depth: '0', 'fetch-tags': 'true' }, { 'basic-auth': auth });
    expect(withTags.exitCode, withTags.log).toBe(0);
    expect((await gitIn(withTags.output, 'tag', '--list')).split('\n')).toEqual(['v0.9.0-feature', 'v1.0.0']);
    expect(await gitIn(withTags.output, 'describe', '--tags', '--abbrev=0')).toBe('v1.0.0');
    const without = await clone({ url: repo.url, revision: 'main', depth: '0' }, { 'basic-auth': auth });
    expect(await gitIn(without.output, 'tag', '--list')).not.toContain('v0.9.0-feature');
  });

  it('runs twice into the same workspace: the second run empties it first (or reuses it with delete-existing=false)', async () => {
    const out = await tempDir('hat-clone-twice-');
    await writeFile(path.join(out, 'stale.txt'), 'left over\n');
    const once = await clone({ url: repo.url }, { 'basic-auth': auth }, out);
    expect(once.exitCode).toBe(0);
    await expect(readFile(path.join(out, 'stale.txt'))).rejects.toThrow();
    const again = await clone({ url: repo.url, revision: 'v1.0.0' }, { 'basic-auth': auth }, out);
    expect(again.results['commit']).toBe(first);
    await writeFile(path.join(out, 'kept.txt'), 'kept\n');
    const reuse = await clone({ url: repo.url, 'delete-existing': 'false' }, { 'basic-auth': auth }, out);
    expect(reuse.exitCode).toBe(0);
    expect(reuse.results['commit']).toBe(second);
    expect(await readFile(path.join(out, 'kept.txt'), 'utf8')).toBe('kept\n');
    expect(await gitIn(out, 'status', '--porcelain', '--', 'README.md')).toBe('');
  });

  it('says a wrong credential was refused, in one line naming the user, without the password', async () => {
    const wrong = await basicAuthWorkspace(server.url, 'ci', 'not-the-password');
    const run = await clone({ url: repo.url }, { 'basic-auth': wrong });
    expect(run.exitCode).toBe(1);
    expect(run.errorLine).toBe(`error: authentication refused by ${repo.url} for user "ci" from basic-auth/.git-credentials`);
    expect(run.log).not.toContain('not-the-password');
    expect(run.log).not.toMatch(/attempt \d\/\d failed/);
  });

  it('says so when a private repo is cloned without credentials', async () => {
    const run = await clone({ url: repo.url });
    expect(run.exitCode).toBe(1);
    expect(run.errorLine).toContain(`error: authentication refused by ${repo.url} for no credentials`);
  });

  it.each([
    ['a branch that does not exist', 'nope', ''],
    ['a commit the server does not have', 'f'.repeat(40), ''],
    ['a short SHA', 'abc1234', ' (give a commit as its full SHA)'],
  ])('reports %s as bad input: revision "…" not found in <url>', async (_what, revision, hint) => {
    const run = await clone({ url: repo.url, revision }, { 'basic-auth': auth });
    expect(run.exitCode).toBe(2);
    expect(run.errorLine).toBe(`error: revision "${revision}" not found in ${repo.url}${hint}`);
  });

  it('gives up on an unreachable server after bounded retries, in one line', async () => {
    const url = 'http://127.0.0.1:1/team/app.git';
    const run = await clone({ url }, { 'basic-auth': auth });
    expect(run.exitCode).toBe(1);
    // Nothing listens there: a refused connection is tried twice, not like a timeout.
    expect(run.errorLine).toMatch(new RegExp(`^error: cannot reach ${url.replace(/[.]/g, '\\.')} after 2 attempts: .*connection refused \\(.*(Failed to connect|Couldn't connect)`));
    expect(run.log.match(/attempt \d\/2 failed/g)).toHaveLength(1);
  });

  it('refuses a URL with a credential in it, without printing the credential', async () => {
    const run = await clone({ url: repo.cloneUrlWithAuth });
    expect(run.exitCode).toBe(2);
    expect(run.errorLine).toMatch(/^error: bad input: param url: .*bind the basic-auth or ssh-directory workspace instead/);
    expectNoSecret(run.log);
    const tokenOnly = await clone({ url: `http://tok-abcdef123456@127.0.0.1:1/x.git` });
    expect(tokenOnly.exitCode).toBe(2);
    expect(tokenOnly.log).not.toContain('tok-abcdef123456');
  });

  it('checks out submodules on the same server with the same credential', async () => {
    const lib = await server.createRepo('team/lib', { username: 'ci', password });
    const libCommit = await server.seedRepo('team/lib', { 'lib.txt': 'library\n' }, 'lib');
    // Add the submodule with a relative URL from a working clone, pushed with the server's credential.
    const work = await tempDir('hat-submodule-work-');
    const withAuth = gitAuthConfigArgs({ username: 'ci', password });
    const ident = ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'protocol.file.allow=always'];
    await execa('git', [...withAuth, 'clone', '--quiet', repo.url, work]);
    await execa('git', [...withAuth, ...ident, '-C', work, 'submodule', 'add', '--quiet', '../lib.git', 'vendor/lib']);
    await execa('git', [...ident, '-C', work, 'commit', '--quiet', '-m', 'add lib']);
    await execa('git', [...withAuth, '-C', work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/with-submodule']);
    const run = await clone({ url: repo.url, revision: 'with-submodule', submodules: 'true' }, { 'basic-auth': auth });
    expect(run.errorLine).toBeUndefined();
    expect(await readFile(path.join(run.output, 'vendor/lib/lib.txt'), 'utf8')).toBe('library\n');
    expect(await gitIn(path.join(run.output, 'vendor/lib'), 'rev-parse', 'HEAD')).toBe(libCommit);
    expectNoSecret(await gitDirText(run.output));
    expect(lib.url).toContain('team/lib.git');
    const without = await clone({ url: repo.url, revision: 'with-submodule' }, { 'basic-auth': auth });
    expect(await readFile(path.join(without.output, 'vendor/lib/lib.txt')).catch(() => 'absent')).toBe('absent');
  });
});

describe('git-clone over ssh (OpenSSH sshd, a key per repo)', () => {
  let server: GitServer;
  let ssh: SshServer;
  let key: SshKey;
  let commit = '';

  beforeAll(async () => {
    server = await startGitServer();
    await server.createRepo('team/svc', { username: 'ci', password: 'svc-Secret-1' });
    commit = await server.seedRepo('team/svc', { 'README.md': 'svc\n' }, 'first');
    ssh = await startSshServer({ reposDir: path.join(server.dir, 'repos') });
    key = await ssh.grantKey(['team/svc']);
  });
  afterAll(async () => {
    await ssh?.stop();
    await server?.stop();
  });

  /** An ssh-directory workspace as a Secret mounts it (files 0644). */
  async function sshDirectory(privateKey: string, knownHosts: string | undefined): Promise<string> {
    const dir = await tempDir('hat-ssh-directory-');
    await writeFile(path.join(dir, 'id_ed25519'), privateKey, { mode: 0o644 });
    if (knownHosts !== undefined) await writeFile(path.join(dir, 'known_hosts'), knownHosts, { mode: 0o644 });
    return dir;
  }

  it('clones with the key from ssh-directory; the key ends up nowhere in the clone or the log', async () => {
    const url = ssh.repoUrl('team/svc');
    const run = await clone({ url }, { 'ssh-directory': await sshDirectory(key.privateKey, ssh.knownHosts) });
    expect(run.errorLine, run.log).toBeUndefined();
    expect(run.results).toMatchObject({ commit, url });
    expect(await readFile(path.join(run.output, 'README.md'), 'utf8')).toBe('svc\n');
    const everywhere = [run.log, await gitDirText(run.output)].join('\n');
    for (const line of privateKeyLines(key)) expect(everywhere).not.toContain(line);
    expect(await readFile(path.join(run.output, '.git', 'config'), 'utf8')).not.toMatch(/sshCommand|id_ed25519/);
  });

  it('without known_hosts it clones but warns that the host key went unchecked', async () => {
    const run = await clone({ url: ssh.repoUrl('team/svc') }, { 'ssh-directory': await sshDirectory(key.privateKey, undefined) });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toContain("warning: ssh: no known_hosts beside the key, so the server's host key is accepted unchecked; add known_hosts to pin it");
  });

  it('refuses a server whose host key is not in known_hosts, and a key the repo does not grant, each in one line', async () => {
    const url = ssh.repoUrl('team/svc');
    const impostor = ssh.knownHostsFor(key.publicKey);
    const hostKey = await clone({ url }, { 'ssh-directory': await sshDirectory(key.privateKey, impostor) });
    expect(hostKey.exitCode).toBe(1);
    expect(hostKey.errorLine).toBe(`error: the host key of ${url} is not the one in ssh-directory's known_hosts`);
    const other = await ssh.grantKey([]);
    const refused = await clone({ url }, { 'ssh-directory': await sshDirectory(other.privateKey, ssh.knownHosts) });
    expect(refused.exitCode).toBe(1);
    expect(refused.errorLine).toBe(`error: authentication refused by ${url} for key id_ed25519 from ssh-directory`);
    expect(refused.log).not.toMatch(/attempt \d\/\d failed/);
  });
});
