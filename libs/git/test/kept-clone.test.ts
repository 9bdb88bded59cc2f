import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@hat/task-runtime';
import { injectStack, type GitRepo } from '../../../test/stack/vitest.ts';
import { dropKeptClone, updateRepo, type KeptClone, type UpdateRepoOptions } from '../src/index.ts';

// A clone kept from one update to the next (the in-cluster landing queue's holder, batch after batch), against the
// real git server.
const CRED = { username: 'kept-test', password: 'kept-Secret-51' };
const app = (name: string, v: string) => ({
  [`apps/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: ${v}\n`,
  [`apps/${name}/values.yaml`]: `${name}:\n  image:\n    tag: "${v}"\n`,
});

const { git: server } = injectStack();
let repo: GitRepo;
let work: string;

beforeAll(async () => {
  repo = await server.createRepo(`kept-${process.pid}`, CRED);
  await server.seedRepo(repo.name, { 'README.md': '# env\n', ...app('web', '1.0.0'), ...app('api', '1.0.0'), ...app('worker', '1.0.0') }, 'all at 1.0.0');
  work = await mkdtemp(path.join(os.tmpdir(), 'hat-kept-test-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

const serverGit = async (...args: string[]) => (await execa('git', args, { cwd: server.repoPath(repo.name) })).stdout;
const exists = (p: string) => access(p).then(() => true, () => false);

/** Sets `name` to version `v` on the branch, as one update (keeping the clone in `keep`); its log lines. */
async function bump(name: string, v: string, keep: KeptClone, more: Partial<UpdateRepoOptions<string>> = {}): Promise<string[]> {
  const lines: string[] = [];
  await updateRepo<string>({
    url: repo.url,
    branch: 'main',
    auth: { kind: 'basic', ...CRED },
    author: { name: 'Kept Tester', email: 'kept@hat.invalid' },
    paths: [`apps/${name}`],
    where: 'test repo',
    log: createLogger({ write: (l) => lines.push(l) }),
    privateHome: true,
    keep,
    async edit(dir) {
      for (const [f, text] of Object.entries(app(name, v))) await writeFile(path.join(dir, f), text);
      return { commit: { subject: `${name} ${v}`, trailers: [], paths: [`apps/${name}`] }, value: v };
    },
    ...more,
  });
  return lines;
}

describe('a kept clone', () => {
  it('starts the next update at the head the last one pushed, without a clone or a fetch of the head; dropKeptClone removes it', async () => {
    const keep: KeptClone = {};
    const first = await bump('web', '2.0.0', keep);
    expect(first.some((l) => l.startsWith('cloned apps/web/'))).toBe(true);
    const head = await serverGit('rev-parse', 'main');
    expect(keep.head).toBe(head);
    expect(await exists(keep.work!)).toBe(true);

    const second = await bump('api', '2.0.0', keep);
    expect(second.some((l) => l.startsWith(`kept clone of test repo, at ${head.slice(0, 12)} still, with apps/api/`))).toBe(true);
    expect(second.some((l) => l.startsWith('cloned'))).toBe(false);
    // Linear: the second commit's parent is the first; both apps at their versions on the server.
    expect(await serverGit('rev-parse', 'main^')).toBe(head);
    expect(await serverGit('show', 'main:apps/web/values.yaml')).toContain('tag: "2.0.0"');
    expect(await serverGit('show', 'main:apps/api/values.yaml')).toContain('tag: "2.0.0"');

    const kept = keep.work!;
    await dropKeptClone(keep);
    expect(keep).toEqual({ work: undefined, head: undefined });
    expect(await exists(kept)).toBe(false);
  });

  it('when someone else pushed meanwhile, it starts at the new tip (fetched first, no rejected push); pushed during its edit, the push is rejected and the edit re-applied: nothing lost', async () => {
    const keep: KeptClone = {};
    await bump('web', '3.0.0', keep);
    const other = await server.seedRepo(repo.name, app('worker', '3.0.0'), 'worker 3.0.0, pushed by someone else');

    const lines = await bump('api', '3.0.0', keep);
    expect(lines.some((l) => l.startsWith(`kept clone of test repo, moved on to ${other.slice(0, 12)}, with apps/api/`))).toBe(true);
    expect(lines.some((l) => l.includes('push rejected'))).toBe(false);
    expect(await serverGit('rev-parse', 'main^')).toBe(other);
    for (const name of ['web', 'worker', 'api']) expect(await serverGit('show', `main:apps/${name}/values.yaml`)).toContain('tag: "3.0.0"');

    // A push between its look at the branch and its own push: rejected, fetched, re-applied.
    let raced = '';
    const edits: number[] = [];
    const again = await bump('api', '3.1.0', keep, {
      limits: { queueWaitMs: 0 }, // as the landing queue's holder (no git landing queue behind it)
      async edit(dir, attempt) {
        edits.push(attempt);
        if (attempt === 1) raced = await server.seedRepo(repo.name, app('web', '3.1.0'), 'web 3.1.0, pushed during the edit');
        for (const [f, text] of Object.entries(app('api', '3.1.0'))) await writeFile(path.join(dir, f), text);
        return { commit: { subject: 'api 3.1.0', trailers: [], paths: ['apps/api'] }, value: '3.1.0' };
      },
    });
    expect(edits).toEqual([1, 2]);
    expect(again.some((l) => l.includes('push rejected (the branch moved)'))).toBe(true);
    expect(await serverGit('rev-parse', 'main^')).toBe(raced);
    expect(await serverGit('show', 'main:apps/web/values.yaml')).toContain('tag: "3.1.0"');
    expect(await serverGit('show', 'main:apps/api/values.yaml')).toContain('tag: "3.1.0"');
    await dropKeptClone(keep);
  });

  it('a folder whose tree the clone holds without its files (a lazy fetch brings trees only) comes in one fetch, not a lazy fetch per file', async () => {
    const keep: KeptClone = {};
    await bump('web', '5.0.0', keep);
    // What a push's lazy fetch leaves: the folder's tree, none of its files.
    const dir = path.join(keep.work!, 'repo');
    const tree = (await execa('git', ['ls-tree', keep.head!, 'apps/worker'], { cwd: dir })).stdout.split(/\s+/)[2]!;
    const auth = `http.extraHeader=Authorization: Basic ${Buffer.from(`${CRED.username}:${CRED.password}`).toString('base64')}`;
    await execa('git', ['-c', auth, '-c', 'fetch.negotiationAlgorithm=noop', 'fetch', '--quiet', '--filter=blob:none', 'origin', tree], { cwd: dir });
    expect((await execa('git', ['rev-list', '--objects', '--missing=print', tree], { cwd: dir })).stdout).toMatch(/^\?/m);
    const trace = await mkdtemp(path.join(os.tmpdir(), 'hat-kept-trace-'));
    process.env['GIT_TRACE2_EVENT'] = trace;
    try {
      await bump('worker', '5.0.0', keep);
    } finally {
      delete process.env['GIT_TRACE2_EVENT'];
    }
    expect(await serverGit('show', 'main:apps/worker/values.yaml')).toContain('tag: "5.0.0"');
    // No checkout-index started a fetch of its own.
    const events = (await Promise.all((await readdir(trace)).map((f) => readFile(path.join(trace, f), 'utf8')))).join('\n');
    const starts = events.split('\n').filter((l) => l.includes('"event":"start"')).map((l) => (JSON.parse(l) as { argv: string[] }).argv);
    expect(starts.filter((argv) => argv.includes('--filter=blob:none') && argv.includes('--stdin'))).toEqual([]);
    expect(starts.filter((argv) => argv.includes('checkout-index')).length).toBe(1);
    await rm(trace, { recursive: true, force: true });
    await dropKeptClone(keep);
  });

  it('is dropped by an update that fails (the next one clones afresh)', async () => {
    const keep: KeptClone = {};
    await bump('web', '4.0.0', keep);
    const kept = keep.work!;
    await expect(bump('api', '4.0.0', keep, { edit: () => Promise.reject(new Error('edit failed')) })).rejects.toThrow('edit failed');
    expect(keep).toEqual({ work: undefined, head: undefined });
    expect(await exists(kept)).toBe(false);
    const again = await bump('api', '4.0.0', keep);
    expect(again.some((l) => l.startsWith('cloned apps/api/'))).toBe(true);
    await dropKeptClone(keep);
  });
});
