import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { connectStack, getManifestDigest, startGitServer, startStack } from './index.ts';
import { groupMembers } from './src/process-group.ts';
import { injectStack } from './vitest.ts';
import { git, tempDir } from './test-utils.ts';

function pgidsOf(dir: string): number[] {
  return readdirSync(path.join(dir, 'pids')).map((file) => Number(readFileSync(path.join(dir, 'pids', file), 'utf8')));
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

const gone = (dirs: string[], pgids: number[]) => () =>
  dirs.every((dir) => !existsSync(dir)) && pgids.every((pgid) => groupMembers(pgid).length === 0);

describe('stack', () => {
  it('starts git server and registry together, serialisable, and stop leaves nothing behind', async () => {
    const started = Date.now();
    const stack = await startStack();
    const startMs = Date.now() - started;
    const info = JSON.parse(JSON.stringify(stack.info())) as ReturnType<typeof stack.info>;
    const dirs = [info.git.dir, stack.registry.dir];
    const pgids = dirs.flatMap(pgidsOf);
    expect(pgids).toHaveLength(3); // fcgiwrap, nginx, registry
    expect(startMs).toBeLessThan(5_000);

    const connected = connectStack(info);
    const repo = await connected.git.createRepo('shared', { username: 'u', password: 'p' });
    await connected.git.seedRepo('shared', { 'x.txt': 'x' }, 'seed');
    const home = await tempDir();
    expect((await git(['clone', '-q', repo.cloneUrlWithAuth, path.join(home, 'c')], { home })).exitCode).toBe(0);
    expect(await getManifestDigest(connected.registry, 'none', 'latest')).toBeUndefined();

    await stack.stop();
    expect(gone(dirs, pgids)()).toBe(true);
    await stack.stop(); // idempotent
  });

  it('cleans up when the owning process is killed (SIGTERM: exit hook; SIGKILL: watchdog)', async () => {
    const fixture = path.join(import.meta.dirname, 'fixtures', 'hold-stack.ts');
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const child = execa(process.execPath, ['--import', 'tsx', fixture], { reject: false, cleanup: true });
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        child.once('exit', () => reject(new Error('fixture exited early')));
      });
      const { dirs, pgids } = JSON.parse(line) as { dirs: string[]; pgids: number[] };
      expect(dirs.every((dir) => existsSync(dir))).toBe(true);
      child.kill(signal);
      await child;
      expect(await eventually(gone(dirs, pgids), signal === 'SIGKILL' ? 5_000 : 1_000), signal).toBe(true);
    }
  });

  it('works from a plain script: stop() completes before the script ends', async () => {
    const fixture = path.join(import.meta.dirname, 'fixtures', 'start-stop.ts');
    const result = await execa(process.execPath, ['--import', 'tsx', fixture]);
    expect(result.stdout).toBe('stopped');
  });

  it('stops by itself after its maximum lifetime', async () => {
    const server = await startGitServer({ maxSeconds: 1 });
    const pgids = pgidsOf(server.dir);
    expect(await eventually(gone([server.dir], pgids), 8_000)).toBe(true);
    await server.stop(); // still fine afterwards
  });

  it('injectStack() gives test files the shared stack of global setup (test/global-setup.ts)', async () => {
    const shared = injectStack();
    const name = `shared-${process.pid}-${Date.now()}`;
    const repo = await shared.git.createRepo(name, { username: 'u', password: 'shared-pass-1' });
    await shared.git.seedRepo(name, { 'x.txt': 'x' }, 'seed');
    const home = await tempDir();
    expect((await git(['clone', '-q', repo.cloneUrlWithAuth, path.join(home, 'c')], { home })).exitCode).toBe(0);
    expect(await getManifestDigest(shared.registry, 'none', 'latest')).toBeUndefined();
  });
});
