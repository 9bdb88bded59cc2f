import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectStack, type GitRepo } from '../../../test/stack/vitest.ts';
import { authEnv, cloneFolders, commitFolders, fetchFolders, pushHead } from '../src/index.ts';

const CRED = { username: 'folders-test', password: 'folders-Secret-32' };
const app = (name: string, v: string) => ({
  [`apps/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: ${v}\n`,
  [`apps/${name}/values.yaml`]: `${name}:\n  image:\n    tag: "${v}"\n`,
});
const author = { name: 'Folder Tester', email: 'folders@hat.invalid' };

const { git: server } = injectStack();
let repo: GitRepo;
let work: string;

beforeAll(async () => {
  repo = await server.createRepo(`folders-${process.pid}`, CRED);
  for (const v of ['1.0.0', '1.1.0']) {
    await server.seedRepo(repo.name, { 'README.md': '# env\n', ...app('web', v), ...app('api', v), ...app('team/worker', v) }, `all at ${v}`);
  }
  work = await mkdtemp(path.join(os.tmpdir(), 'hat-folders-test-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

const g = async (dir: string, ...args: string[]) => (await execa('git', args, { cwd: dir })).stdout;
const serverGit = (...args: string[]) => g(server.repoPath(repo.name), ...args);

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith('.git'))
    .sort();
}

async function clone(name: string, paths: string[]) {
  const dir = path.join(work, name);
  const env = await authEnv({ kind: 'basic', ...CRED }, repo.url, path.join(work, `home-${name}`));
  const folders = await cloneFolders({ url: repo.url, branch: 'main', dir, paths, env, what: 'clone' });
  return { dir, env, folders };
}

describe('folder clones', () => {
  it('write only the root files and the folders, at depth 1; the other folders\' trees and blobs are never fetched', async () => {
    const { dir, folders } = await clone('one', ['apps/web']);

    expect(await files(dir)).toEqual(['README.md', 'apps/web/Chart.yaml', 'apps/web/values.yaml']);
    expect(await readFile(path.join(dir, 'apps/web/Chart.yaml'), 'utf8')).toContain('version: 1.1.0');
    expect(folders.head).toBe(await serverGit('rev-parse', 'main'));
    expect(folders.files.map((f) => f.path).sort()).toEqual(['README.md', 'apps/web/Chart.yaml', 'apps/web/values.yaml']);
    expect(await g(dir, 'rev-list', '--count', 'HEAD')).toBe('1');
    // --missing=print lists what the clone does not have, without fetching it.
    const missing = (await g(dir, 'rev-list', '--objects', '--missing=print', 'HEAD')).split('\n').filter((l) => l.startsWith('?')).map((l) => l.slice(1));
    const oid = (p: string) => serverGit('rev-parse', `main:${p}`);
    expect(missing).toContain(await oid('apps/api'));
    expect(missing).toContain(await oid('apps/team'));
    expect(missing).not.toContain(await oid('apps/web'));
    expect(missing).not.toContain(await oid('apps/web/values.yaml'));
  });

  it('choose their folders from the root\'s files when given a function: it reads them before anything else is fetched', async () => {
    const asked: Array<[string, string | undefined]> = [];
    const { dir, folders } = await clone('chosen', []);
    expect(folders.paths).toEqual([]);
    expect(await files(dir)).toEqual(['README.md']);
    const chosen = await cloneFolders({
      url: repo.url,
      branch: 'main',
      dir: path.join(work, 'chosen-2'),
      paths: async (readRoot) => {
        for (const name of ['README.md', 'hat.yaml']) asked.push([name, await readRoot(name)]);
        return ['apps/api'];
      },
      env: await authEnv({ kind: 'basic', ...CRED }, repo.url, path.join(work, 'home-chosen-2')),
      what: 'clone',
    });
    expect(asked).toEqual([['README.md', '# env'], ['hat.yaml', undefined]]);
    expect(chosen.paths).toEqual(['apps/api']);
    expect(await files(path.join(work, 'chosen-2'))).toEqual(['README.md', 'apps/api/Chart.yaml', 'apps/api/values.yaml']);
  });

  it('commit what is on disk under their paths (changed, new, executable, symlinked, deleted) onto the head, leaving the rest of the tree as it was', async () => {
    const { dir, env, folders } = await clone('two', ['apps/web', 'apps/team/worker']);
    expect(await files(dir)).toContain('apps/team/worker/values.yaml'); // a deeper folder: it came with apps/team, whole
    await writeFile(path.join(dir, 'apps/web/values.yaml'), 'web:\n  image:\n    tag: "2.0.0" # é\n');
    await writeFile(path.join(dir, 'apps/web/run.sh'), '#!/bin/sh\n');
    await chmod(path.join(dir, 'apps/web/run.sh'), 0o755);
    await symlink('values.yaml', path.join(dir, 'apps/web/current'));
    await mkdir(path.join(dir, 'apps/web/with space'));
    await writeFile(path.join(dir, 'apps/web/with space/"q".txt'), 'quoted\n');
    await rm(path.join(dir, 'apps/web/Chart.yaml'));
    await rm(path.join(dir, 'apps/team/worker'), { recursive: true });
    const before = await serverGit('rev-parse', 'main');
    const message = 'deploy(web): 1.1.0 → 2.0.0\n\nHat-App: web\n';

    const commit = await commitFolders({ dir, branch: 'main', folders, paths: ['apps/web', 'apps/team/worker'], message, author, env });
    await pushHead({ cwd: dir, branch: 'main', env, what: 'push' });

    expect(await serverGit('rev-parse', 'main')).toBe(commit);
    expect(await serverGit('rev-parse', 'main^')).toBe(before);
    expect(await serverGit('log', '-1', '--format=%an <%ae>|%cn <%ce>|%B', 'main')).toBe(`${author.name} <${author.email}>|${author.name} <${author.email}>|${message}`);
    const raw = (await serverGit('diff-tree', '-r', '-z', '--no-commit-id', '--name-status', 'main')).split('\0').filter(Boolean);
    const changed = raw.flatMap((v, k) => (k % 2 ? [] : [`${v} ${raw[k + 1]}`])).sort();
    expect(changed).toEqual([
      'A apps/web/current',
      'A apps/web/run.sh',
      'A apps/web/with space/"q".txt',
      'D apps/team/worker/Chart.yaml',
      'D apps/team/worker/values.yaml',
      'D apps/web/Chart.yaml',
      'M apps/web/values.yaml',
    ]);
    expect(await serverGit('ls-tree', 'main', 'apps/web/run.sh', 'apps/web/current')).toMatch(/^120000 blob \S+\tapps\/web\/current\n100755 blob \S+\tapps\/web\/run.sh$/);
    expect(await serverGit('show', 'main:apps/web/values.yaml')).toContain('# é');
    // Nothing else moved: the other folders are the same trees.
    for (const p of ['apps/api', 'README.md']) expect(await serverGit('rev-parse', `main:${p}`)).toBe(await serverGit('rev-parse', `${before}:${p}`));
  });

  it('fetchFolders moves to the remote\'s new head, dropping local edits and commits', async () => {
    const { dir, env, folders } = await clone('three', ['apps/api']);
    await writeFile(path.join(dir, 'apps/api/values.yaml'), 'local edit\n');
    await writeFile(path.join(dir, 'stray.txt'), 'x\n');
    await commitFolders({ dir, branch: 'main', folders, paths: ['apps/api'], message: 'local\n', author, env });
    const head = await server.seedRepo(repo.name, { ...app('api', '3.0.0'), ...app('web', '3.0.0') }, 'api and web at 3.0.0');

    const moved = await fetchFolders({ dir, branch: 'main', paths: ['apps/api'], env, what: 'fetch' });

    expect(moved.head).toBe(head);
    expect(await g(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(await files(dir)).toEqual(['README.md', 'apps/api/Chart.yaml', 'apps/api/values.yaml']);
    expect(await readFile(path.join(dir, 'apps/api/Chart.yaml'), 'utf8')).toContain('version: 3.0.0');
    expect(await readFile(path.join(dir, 'apps/api/values.yaml'), 'utf8')).toContain('tag: "3.0.0"');
  });
});
