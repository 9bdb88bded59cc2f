import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGitServer, type GitRepo, type GitServer } from '../../../test/stack/index.ts';
import { updateRepo, type EditOutcome } from '../src/index.ts';

// The landing queue (src/landing-queue.ts) against the real git server: a rejected push is queued and landed by
// whoever lands next, with the others queued behind it, in one atomic push.
const CRED = { username: 'queue-test', password: 'queue-Secret-77' };
const values = (app: string, v: string) => `${app}:\n  image:\n    tag: "${v}"\n`;
const APPS = ['web', 'api', 'worker', 'batch'];

let server: GitServer;
let repo: GitRepo;
let work: string;
let logs: string[];

const remote = async (...args: string[]) => (await execa('git', ['--git-dir', server.repoPath(repo.name), ...args])).stdout;
const hatRefs = () => remote('for-each-ref', '--format=%(refname)', 'refs/hat/');
const show = (p: string) => remote('show', `main:${p}`);

beforeAll(async () => {
  server = await startGitServer();
  work = await mkdtemp(path.join(os.tmpdir(), 'hat-queue-test-'));
});
afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});
let n = 0;
beforeEach(async () => {
  repo = await server.createRepo(`queue-${++n}`, CRED);
  const files: Record<string, string> = { 'README.md': '# env\n' };
  for (const app of APPS) files[`apps/${app}/values.yaml`] = values(app, '1.0.0');
  await server.seedRepo(repo.name, files, 'scaffold');
  logs = [];
});

interface Deploy {
  readonly app: string;
  readonly version: string;
  /** Runs inside the first edit, before this run commits: makes its push lose a race. */
  readonly meanwhile?: () => Promise<unknown>;
  readonly signed?: boolean;
  readonly queueWaitMs?: number;
  readonly connectAttempts?: number;
  /** Also edits the root README.md (outside the folder it checks out). */
  readonly readme?: boolean;
}

/** A deploy-like update of apps/<app>/values.yaml through updateRepo; records the attempts its edit saw. */
async function deploy(d: Deploy): Promise<{ commit: string | undefined; attempts: number[] }> {
  const attempts: number[] = [];
  const log = { info: (m: string) => logs.push(`${d.app}: ${m}`), warn: (m: string) => logs.push(`${d.app}: warning: ${m}`), time: <T>(_: unknown, fn: () => Promise<T>) => fn() };
  const result = await updateRepo<string>({
    url: repo.url,
    branch: 'main',
    auth: { kind: 'basic', ...CRED },
    author: { name: `deployer of ${d.app}`, email: `${d.app}@example.test` },
    paths: [`apps/${d.app}`],
    where: `test repo ${repo.url}`,
    log,
    privateHome: true,
    limits: { baseDelayMs: 20, ...(d.queueWaitMs !== undefined ? { queueWaitMs: d.queueWaitMs } : {}), ...(d.connectAttempts ? { connectAttempts: d.connectAttempts } : {}) },
    ...(d.signed ? { signingKey: { key: await signingKey(), what: 'test key' } } : {}),
    async edit(dir, attempt): Promise<EditOutcome<string>> {
      attempts.push(attempt);
      if (attempt === 1 && d.meanwhile) await d.meanwhile();
      const file = path.join(dir, 'apps', d.app, 'values.yaml');
      const before = await readFile(file, 'utf8');
      await writeFile(file, `${before}# ${d.version}\n`.replace(/tag: ".*"/, `tag: "${d.version}"`));
      if (d.readme) await writeFile(path.join(dir, 'README.md'), `# env, ${d.app} at ${d.version}\n`);
      const paths = [`apps/${d.app}`, ...(d.readme ? ['README.md'] : [])];
      return { value: d.version, commit: { subject: `deploy(${d.app}): ${d.version} → é`, trailers: [['Hat-App', d.app], ['Hat-Version', d.version]], paths } };
    },
  });
  return { commit: result.commit, attempts };
}

async function signingKey(): Promise<string> {
  const file = path.join(work, `key-${process.hrtime.bigint()}`);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test', '-f', file]);
  return readFile(file, 'utf8');
}

/** Plants a request or landed ref as a run long gone would have left it (its id from `agoMs` ago). */
async function plant(kind: 'queue' | 'landed', agoMs: number): Promise<string> {
  const id = `${(Date.now() - agoMs).toString(36).padStart(9, '0')}-0badc0de`;
  const ref = `refs/hat/${kind}/main/${id}`;
  await remote('update-ref', ref, await remote('rev-parse', 'main'));
  return ref;
}

describe('landing queue', () => {
  it('a rejected push is queued and lands on the new head; the queue is left empty', async () => {
    const r = await deploy({ app: 'web', version: '2.0.0', meanwhile: () => deploy({ app: 'api', version: '3.0.0' }) });
    expect(r.attempts).toEqual([1]); // landed as it was, not re-edited
    expect(logs.join('\n')).toMatch(/web: push rejected \(the branch moved\); queued the commit as \S+/);
    expect(logs.join('\n')).toMatch(/web: landed 1 queued commit in one push/);
    expect(await remote('rev-parse', 'main')).toBe(r.commit);
    expect((await remote('log', '--format=%s|%an <%ae>|%(trailers:key=Hat-Version,valueonly)', '-2', 'main')).split('\n').filter(Boolean)).toEqual([
      'deploy(web): 2.0.0 → é|deployer of web <web@example.test>|2.0.0',
      'deploy(api): 3.0.0 → é|deployer of api <api@example.test>|3.0.0',
    ]);
    expect(await remote('diff-tree', '--no-commit-id', '--name-only', '-r', 'main')).toBe('apps/web/values.yaml');
    expect(await show('apps/web/values.yaml')).toContain('tag: "2.0.0"');
    expect(await show('apps/api/values.yaml')).toContain('tag: "3.0.0"');
    expect(await hatRefs()).toBe('');
    expect(logs.join('\n')).not.toContain(CRED.password);
  });

  it('one push lands every queued request, in order; each owner finds its commit; linear history', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const losers = ['web', 'worker', 'batch'].map((app, i) => deploy({ app, version: `2.${i}.0`, meanwhile: () => gate }));
    await new Promise((r) => setTimeout(r, 1500)); // all three have cloned and wait in their edit
    await deploy({ app: 'api', version: '3.0.0' });
    release();
    const results = await Promise.all(losers);
    const log = await remote('log', '--format=%H %s', 'main');
    for (const r of results) expect(log).toContain(r.commit!);
    expect(await remote('rev-list', '--count', 'main')).toBe('5');
    expect(await remote('log', '--merges', '--format=%H', 'main')).toBe('');
    for (const [i, app] of ['web', 'worker', 'batch'].entries()) expect(await show(`apps/${app}/values.yaml`)).toContain(`tag: "2.${i}.0"`);
    const landers = logs.filter((l) => /landed \d queued commits? in one push/.test(l));
    const found = logs.filter((l) => /landed by another run as/.test(l));
    expect(landers.length + found.length).toBe(3);
    expect(landers.length).toBeLessThan(3); // at least one run's commit was landed by another
    // The landed refs stay for their owners (a minute), the queue is empty.
    expect((await hatRefs()).split('\n').filter((r) => r.startsWith('refs/hat/queue/'))).toEqual([]);
  });

  it('a request whose folder changed on the branch since its base is handed back and re-applied on the new head', async () => {
    const r = await deploy({ app: 'web', version: '2.0.0', meanwhile: () => deploy({ app: 'web', version: '1.5.0' }) });
    expect(r.attempts).toEqual([1, 2]);
    expect(logs.join('\n')).toMatch(/web: the branch changed apps\/web\/ since this commit's base; re-applying on the new head \(attempt 2\/40\)/);
    expect(await show('apps/web/values.yaml')).toBe(`${values('web', '2.0.0')}# 1.5.0\n# 2.0.0`);
    expect(await hatRefs()).toBe('');
  });

  it('a request older than its owner could wait is never landed: pruned, with landed refs nobody reads any more', async () => {
    const dead = await plant('queue', 120_000);
    const read = await plant('landed', 120_000);
    const fresh = await plant('landed', 1_000);
    const r = await deploy({ app: 'web', version: '2.0.0', queueWaitMs: 30_000, meanwhile: () => deploy({ app: 'api', version: '3.0.0' }) });
    expect(await remote('rev-parse', 'main')).toBe(r.commit);
    expect(await remote('rev-list', '--count', 'main')).toBe('3'); // scaffold, api, web: the dead request did not land
    const left = await hatRefs();
    expect(left).not.toContain(dead);
    expect(left).not.toContain(read);
    expect(left).toContain(fresh);
  });

  it('signed commits are not queued: they re-apply themselves (another run cannot sign them)', async () => {
    const r = await deploy({ app: 'web', version: '2.0.0', signed: true, meanwhile: () => deploy({ app: 'api', version: '3.0.0' }) });
    expect(r.attempts).toEqual([1, 2]);
    expect(logs.join('\n')).not.toContain('queued');
    expect(await remote('cat-file', 'commit', 'main')).toContain('gpgsig');
  });

  it('a commit that also changes files outside its folders is not queued (a request carries only those): it re-applies', async () => {
    const r = await deploy({ app: 'web', version: '2.0.0', readme: true, meanwhile: () => deploy({ app: 'api', version: '3.0.0' }) });
    expect(r.attempts).toEqual([1, 2]);
    expect(logs.join('\n')).not.toContain('queued');
    expect(await show('README.md')).toBe('# env, web at 2.0.0');
    expect(await show('apps/api/values.yaml')).toContain('tag: "3.0.0"');
  });

  it('a server that refuses the queue\'s refs: re-applying instead, with a warning naming its words', async () => {
    const hook = path.join(server.repoPath(repo.name), 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\nwhile read old new ref; do case "$ref" in refs/hat/*) echo "custom refs are not allowed" >&2; exit 1;; esac; done\n');
    await chmod(hook, 0o755);
    const r = await deploy({ app: 'web', version: '2.0.0', meanwhile: () => deploy({ app: 'api', version: '3.0.0' }) });
    expect(r.attempts).toEqual([1, 2]);
    expect(logs.join('\n')).toMatch(/web: warning: .* refuses the landing queue's refs \(.*\); re-applying on the new head instead/);
    expect(await remote('rev-parse', 'main')).toBe(r.commit);
  });

  it('the server gone while queued: a bounded, one-line error that says the commit may still land', async () => {
    const logged = logs;
    const watch = setInterval(() => {
      if (logged.some((l) => l.includes('queued the commit'))) {
        clearInterval(watch);
        void server.pause();
      }
    }, 5);
    try {
      const err = await deploy({ app: 'web', version: '2.0.0', connectAttempts: 2, meanwhile: () => deploy({ app: 'api', version: '3.0.0' }) }).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/unreachable after 2 attempts.*its queued commit \S+ may still land within 40 s/);
      expect((err as Error).message).not.toContain('\n');
      expect((err as Error).message).not.toContain(CRED.password);
    } finally {
      clearInterval(watch);
      await server.resume();
    }
  });
});
