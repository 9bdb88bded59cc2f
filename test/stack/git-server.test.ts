import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, connectGitServer, gitAuthConfigArgs, startGitServer } from './index.ts';
import type { GitServer } from './index.ts';
import { httpRequest } from './src/http.ts';
import { git, tempDir } from './test-utils.ts';

const alice = { username: 'alice', password: 'alice-secret' };
const bob = { username: 'bob', password: 'bob-secret' };

describe('git server', () => {
  let server: GitServer;
  beforeAll(async () => {
    server = await startGitServer();
    await server.createRepo('repo-a', alice);
    await server.createRepo('team/repo-b', bob);
  });
  afterAll(() => server?.stop());

  it('pushes with the right credential and clones the content back', async () => {
    const home = await tempDir();
    const work = path.join(home, 'work');
    expect((await git(['init', '-q', '-b', 'main', work], { home })).exitCode).toBe(0);
    await writeFile(path.join(work, 'hello.txt'), 'hello\n');
    await git(['add', '.'], { home, cwd: work });
    await git(['commit', '-qm', 'first'], { home, cwd: work });
    const push = await git([...gitAuthConfigArgs(alice), 'push', server.repoUrl('repo-a'), 'main'], { home, cwd: work });
    expect(push.exitCode, push.stderr).toBe(0);

    const clone = path.join(home, 'clone');
    const cloned = await git([...gitAuthConfigArgs(alice), 'clone', '-q', server.repoUrl('repo-a'), clone], { home });
    expect(cloned.exitCode, cloned.stderr).toBe(0);
    expect(await readFile(path.join(clone, 'hello.txt'), 'utf8')).toBe('hello\n');
    // the credential went in a header, not into the clone's config
    expect(await readFile(path.join(clone, '.git', 'config'), 'utf8')).not.toContain('alice-secret');
  });

  it('also accepts the credential in the URL', async () => {
    const home = await tempDir();
    const repo = await server.createRepo('url-auth', { username: 'carol', password: 'p@ss:w/rd' });
    await server.seedRepo('url-auth', { 'a.txt': 'a' }, 'seed');
    const clone = await git(['clone', '-q', repo.cloneUrlWithAuth, path.join(home, 'c')], { home });
    expect(clone.exitCode, clone.stderr).toBe(0);
  });

  it('refuses a wrong password and no credential with 401', async () => {
    const home = await tempDir();
    const wrong = await git([...gitAuthConfigArgs({ ...alice, password: 'nope' }), 'ls-remote', server.repoUrl('repo-a')], { home });
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toMatch(/Authentication failed|401|could not read Username/);
    const anonymous = await git(['ls-remote', server.repoUrl('repo-a')], { home });
    expect(anonymous.exitCode).not.toBe(0);
    for (const service of ['git-upload-pack', 'git-receive-pack']) {
      const response = await httpRequest(`${server.repoUrl('repo-a')}/info/refs?service=${service}`);
      expect(response.status).toBe(401);
    }
  });

  it("refuses repo A's credential on repo B, for clone and for push", async () => {
    const home = await tempDir();
    await server.seedRepo('team/repo-b', { 'b.txt': 'b\n' }, 'seed b');
    const clone = await git([...gitAuthConfigArgs(alice), 'clone', '-q', server.repoUrl('team/repo-b'), path.join(home, 'b')], { home });
    expect(clone.exitCode).not.toBe(0);
    expect(clone.stderr).toMatch(/Authentication failed|401|could not read Username/);

    const work = path.join(home, 'work');
    const own = await git([...gitAuthConfigArgs(bob), 'clone', '-q', server.repoUrl('team/repo-b'), work], { home });
    expect(own.exitCode, own.stderr).toBe(0);
    await writeFile(path.join(work, 'c.txt'), 'c\n');
    await git(['add', '.'], { home, cwd: work });
    await git(['commit', '-qm', 'by alice'], { home, cwd: work });
    const push = await git([...gitAuthConfigArgs(alice), 'push', server.repoUrl('team/repo-b'), 'main'], { home, cwd: work });
    expect(push.exitCode).not.toBe(0);
    expect(push.stderr).toMatch(/Authentication failed|401|could not read Username/);
    const response = await httpRequest(`${server.repoUrl('team/repo-b')}/info/refs?service=git-receive-pack`, {
      headers: { authorization: basicAuth(alice.username, alice.password) },
    });
    expect(response.status).toBe(401);
  });

  it('serves a shallow, sparse, blobless clone', async () => {
    const home = await tempDir();
    await server.createRepo('gitops', alice);
    await server.seedRepo('gitops', { 'apps/web/values.yaml': 'v1\n', 'apps/api/values.yaml': 'a1\n', 'README.md': 'r\n' }, 'one');
    await server.seedRepo('gitops', { 'apps/web/values.yaml': 'v2\n' }, 'two');
    const clone = path.join(home, 'gitops');
    const cloned = await git(
      [...gitAuthConfigArgs(alice), 'clone', '-q', '--depth', '1', '--filter=blob:none', '--sparse', server.repoUrl('gitops'), clone],
      { home },
    );
    expect(cloned.exitCode, cloned.stderr).toBe(0);
    const sparse = await git([...gitAuthConfigArgs(alice), 'sparse-checkout', 'set', 'apps/web'], { home, cwd: clone });
    expect(sparse.exitCode, sparse.stderr).toBe(0);
    expect(await readFile(path.join(clone, 'apps/web/values.yaml'), 'utf8')).toBe('v2\n');
    expect(existsSync(path.join(clone, 'apps/api'))).toBe(false);
    expect((await git(['rev-list', '--count', 'HEAD'], { home, cwd: clone })).stdout).toBe('1');
    const missing = await git(['rev-list', '--objects', '--missing=print', 'HEAD'], { home, cwd: clone });
    expect(missing.stdout).toMatch(/^\?[0-9a-f]{40}/m); // apps/api's blob was never fetched
  });

  it('seeds repos directly: files on top of the branch, deletions, new branches', async () => {
    const home = await tempDir();
    await server.createRepo('seeded', alice);
    const first = await server.seedRepo('seeded', { 'a.txt': 'a', 'dir/b.txt': 'b', 'with space.txt': 's' }, 'first');
    const second = await server.seedRepo('seeded', { 'a.txt': 'a2', 'dir/b.txt': null }, 'second');
    await server.seedRepo('seeded', { 'x.txt': 'x' }, 'on a branch', { branch: 'feature' });
    const gitDir = server.repoPath('seeded');
    expect((await git(['--git-dir', gitDir, 'rev-parse', 'main^'], { home })).stdout).toBe(first);
    expect((await git(['--git-dir', gitDir, 'rev-parse', 'main'], { home })).stdout).toBe(second);
    expect((await git(['--git-dir', gitDir, 'ls-tree', '-r', '--name-only', 'main'], { home })).stdout.split('\n')).toEqual([
      'a.txt',
      'with space.txt',
    ]);
    expect((await git(['--git-dir', gitDir, 'log', '--format=%s', 'feature'], { home })).stdout).toBe('on a branch');
  });

  it('works from the serialisable info, as a vitest worker would', async () => {
    const home = await tempDir();
    const remote = connectGitServer(JSON.parse(JSON.stringify(server.info())) as ReturnType<GitServer['info']>);
    const repo = await remote.createRepo('from-info', bob);
    await remote.addCredential('from-info', { username: 'ci', password: 'ci-pass' });
    await remote.seedRepo('from-info', { 'f.txt': 'f' }, 'seed');
    for (const credential of [bob, { username: 'ci', password: 'ci-pass' }]) {
      const ls = await git([...gitAuthConfigArgs(credential), 'ls-remote', repo.url, 'refs/heads/main'], { home });
      expect(ls.exitCode, ls.stderr).toBe(0);
    }
  });

  it('rejects bad repo names and duplicate repos', async () => {
    await expect(server.createRepo('../escape', alice)).rejects.toThrow(/bad repo name/);
    await expect(server.createRepo('repo-a', alice)).rejects.toThrow(/already exists/);
    await expect(server.createRepo('ok-name', { username: 'a:b', password: 'x' })).rejects.toThrow(/bad username/);
  });

  it('handles concurrent pushes to one repo (one wins per round, others are rejected cleanly)', async () => {
    const home = await tempDir();
    await server.createRepo('busy', alice);
    await server.seedRepo('busy', { 'base.txt': 'base' }, 'base');
    const clones = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const dir = path.join(home, `c${i}`);
        await git([...gitAuthConfigArgs(alice), 'clone', '-q', server.repoUrl('busy'), dir], { home });
        await writeFile(path.join(dir, `f${i}.txt`), `${i}`);
        await git(['add', '.'], { home, cwd: dir });
        await git(['commit', '-qm', `c${i}`], { home, cwd: dir });
        return dir;
      }),
    );
    const pushes = await Promise.all(clones.map((dir) => git([...gitAuthConfigArgs(alice), 'push', 'origin', 'main'], { home, cwd: dir })));
    const ok = pushes.filter((push) => push.exitCode === 0);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const push of pushes.filter((p) => p.exitCode !== 0)) expect(push.stderr).toMatch(/rejected|fetch first|non-fast-forward|failed to update ref|cannot lock ref/);
  });
});

describe('git server lifecycle', () => {
  it('goes down on pause and comes back on the same URL, repos intact', async () => {
    const server = await startGitServer();
    const home = await tempDir();
    try {
      const repo = await server.createRepo('app', alice);
      await server.seedRepo('app', { 'v.txt': '1' }, 'one');
      const lsRemote = () => git([...gitAuthConfigArgs(alice), 'ls-remote', repo.url, 'refs/heads/main'], { home });
      expect((await lsRemote()).exitCode).toBe(0);

      await server.pause();
      expect(server.running).toBe(false);
      const down = await lsRemote();
      expect(down.exitCode).not.toBe(0);
      expect(down.stderr).toMatch(/Failed to connect|Couldn't connect|Connection refused/i);

      await server.resume();
      expect(server.running).toBe(true);
      const back = await lsRemote();
      expect(back.exitCode, back.stderr).toBe(0);

      await server.restart();
      expect((await lsRemote()).stdout).toContain('refs/heads/main');
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    } finally {
      await server.stop();
    }
  });

  it('rejects a second server on a taken port, leaving nothing behind', async () => {
    const server = await startGitServer();
    try {
      await expect(startGitServer({ port: server.port })).rejects.toThrow(/is not free/);
    } finally {
      await server.stop();
    }
  });
});
