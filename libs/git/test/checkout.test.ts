import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectStack, type GitRepo } from '../../../test/stack/vitest.ts';
import { authEnv, sparseClone } from '../src/index.ts';

const CRED = { username: 'checkout-test', password: 'checkout-Secret-31' };
const app = (name: string, v: string) => ({
  [`apps/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: ${v}\n`,
  [`apps/${name}/values.yaml`]: `${name}:\n  image:\n    tag: "${v}"\n`,
});

const { git: server } = injectStack();
let repo: GitRepo;
let work: string;

beforeAll(async () => {
  repo = await server.createRepo(`checkout-${process.pid}`, CRED);
  for (const v of ['1.0.0', '1.1.0', '1.2.0']) {
    await server.seedRepo(repo.name, { 'README.md': '# env\n', ...app('web', v), ...app('api', v), ...app('worker', v) }, `all at ${v}`);
  }
  work = await mkdtemp(path.join(os.tmpdir(), 'hat-checkout-test-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

const g = async (dir: string, ...args: string[]) => (await execa('git', args, { cwd: dir, env: { GIT_NO_LAZY_FETCH: '1' } })).stdout;

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith('.git'))
    .sort();
}

describe('sparseClone', () => {
  it('checks out only the root files and the given folder, at depth 1, without the other folders\' blobs', async () => {
    const dir = path.join(work, 'one');
    const env = await authEnv({ kind: 'basic', ...CRED }, repo.url, path.join(work, 'home-one'));
    await sparseClone({ url: repo.url, branch: 'main', dir, paths: ['apps/web'], env, what: 'clone' });

    expect(await files(dir)).toEqual(['README.md', 'apps/web/Chart.yaml', 'apps/web/values.yaml']);
    expect(await g(dir, 'rev-list', '--count', 'HEAD')).toBe('1');
    expect(await g(dir, 'status', '--porcelain')).toBe('');
    // The tree knows every app; only the checked-out folder's blobs were fetched.
    const blob = (p: string) => g(dir, 'rev-parse', `HEAD:${p}`);
    const present = (oid: string) => execa('git', ['cat-file', '-e', oid], { cwd: dir, env: { GIT_NO_LAZY_FETCH: '1' }, reject: false }).then((r) => r.exitCode === 0);
    expect(await present(await blob('apps/web/values.yaml'))).toBe(true);
    expect(await present(await blob('apps/api/values.yaml'))).toBe(false);
    expect(await present(await blob('apps/worker/Chart.yaml'))).toBe(false);
  });

});
