// One builder per cache entry across processes: a background prebuild (hat cluster build --background) and a
// `hat cluster up` that needs the same component must not compile it twice on the same cores. The lock is a file
// created exclusively, holding the builder's pid; a lock whose process is gone is stale and taken over.
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@hat/task-runtime';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Runs `fn` holding the lock of `entry` in `dir`; while another live process holds it, waits (logging once a
 * minute), then runs `fn` (which finds that process's result in the cache).
 */
export async function withBuildLock<T>(dir: string, entry: string, log: Logger, fn: () => Promise<T>, pollMs = 2_000): Promise<T> {
  const file = path.join(dir, `.lock-${entry}`);
  const started = Date.now();
  let said = 0;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (!holder || !alive(holder)) {
        // Stale (its builder died) or being written this instant: take it over only when its pid is known dead.
        if (holder) await rm(file, { force: true });
        else await sleep(50);
        continue;
      }
      const waited = Math.floor((Date.now() - started) / 60_000);
      if (waited >= said) {
        log.info(`${entry}: another process (pid ${holder}) is building it; waiting for it (${waited} min so far)`);
        said = waited + 1;
      }
      await sleep(pollMs);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}
