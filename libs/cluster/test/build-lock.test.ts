// One builder per cache entry across processes (a background prebuild and hat cluster up): the second waits for the
// first and then uses its result; a lock left by a process that died is taken over.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@hat/task-runtime';
import { withBuildLock } from '../src/build-lock.ts';

let dir: string;
const lines: string[] = [];
const log = createLogger({ write: (l: string) => lines.push(l) });
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hat-build-lock-'));
  lines.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('withBuildLock', () => {
  it('a second builder of the same entry waits until the first is done, then runs (and finds its result); the lock is gone after', async () => {
    const order: string[] = [];
    let release!: () => void;
    const first = withBuildLock(dir, 'etcd-v1', log, async () => {
      order.push('first start');
      await new Promise<void>((r) => (release = r));
      order.push('first end');
    }, 20);
    await new Promise((r) => setTimeout(r, 50));
    const second = withBuildLock(dir, 'etcd-v1', log, async () => order.push('second'), 20);
    // Another entry is not held up.
    await withBuildLock(dir, 'coredns-v1', log, async () => order.push('other entry'), 20);
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual(['first start', 'other entry']);
    expect(lines.join('\n')).toMatch(new RegExp(`etcd-v1: another process \\(pid ${process.pid}\\) is building it; waiting for it`));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first start', 'other entry', 'first end', 'second']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a lock whose process is gone is taken over; an error in the build releases the lock', async () => {
    const dead = (await execa('sh', ['-c', 'echo $$'])).stdout.trim();
    await writeFile(path.join(dir, '.lock-argocd-v3'), dead);
    expect(await withBuildLock(dir, 'argocd-v3', log, async () => 'built', 20)).toBe('built');
    await expect(withBuildLock(dir, 'argocd-v3', log, async () => Promise.reject(new Error('go build failed')), 20)).rejects.toThrow('go build failed');
    expect(await readdir(dir)).toEqual([]);
  });
});
