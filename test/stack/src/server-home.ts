// The temp dir a server lives in, its daemons, its watchdog and its exit hook: everything stop() undoes.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from './daemon.ts';
import type { Daemon, DaemonSpec } from './daemon.ts';
import { onProcessExit } from './exit-cleanup.ts';
import { maxLifetimeSeconds } from './lifetime.ts';
import { startReaper } from './reaper.ts';

export type HomeDaemonSpec = Omit<DaemonSpec, 'lifetimeSeconds' | 'logFile' | 'pidFile' | 'cwd'>;

export interface ServerHome {
  readonly dir: string;
  readonly deadlineMs: number;
  path(...parts: string[]): string;
  start(spec: HomeDaemonSpec): Daemon;
  /** Stops all daemons, the watchdog, and removes the dir. Idempotent. */
  dispose(): Promise<void>;
}

export function createServerHome(prefix: string, maxSeconds?: number): ServerHome {
  const seconds = maxLifetimeSeconds(maxSeconds);
  const deadlineMs = Date.now() + seconds * 1000;
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  mkdirSync(path.join(dir, 'pids'));
  mkdirSync(path.join(dir, 'logs'));
  const daemons = new Set<Daemon>();
  const reaper = startReaper(dir, deadlineMs + 2_000);
  const removeExitHook = onProcessExit(() => {
    for (const daemon of daemons) daemon.killSync();
    reaper.stop();
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  });
  let disposed: Promise<void> | undefined;

  return {
    dir,
    deadlineMs,
    path: (...parts) => path.join(dir, ...parts),
    start(spec) {
      if (disposed !== undefined) throw new Error(`${spec.name}: server already stopped`);
      const lifetimeSeconds = Math.max(1, Math.ceil((deadlineMs - Date.now()) / 1000));
      const daemon = startDaemon({
        ...spec,
        cwd: dir,
        lifetimeSeconds,
        logFile: path.join(dir, 'logs', `${spec.name}.log`),
        pidFile: path.join(dir, 'pids', `${spec.name}.pid`),
      });
      daemons.add(daemon);
      // Forget it once stopped, so the exit hook never signals a process group id the OS has reused.
      return {
        name: daemon.name,
        pgid: daemon.pgid,
        exitReason: () => daemon.exitReason(),
        logTail: (lines) => daemon.logTail(lines),
        killSync: () => daemon.killSync(),
        stop: async () => {
          await daemon.stop();
          daemons.delete(daemon);
        },
      };
    },
    dispose() {
      disposed ??= (async () => {
        await Promise.all([...daemons].map((daemon) => daemon.stop()));
        daemons.clear();
        reaper.stop();
        await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        removeExitHook();
      })();
      return disposed;
    },
  };
}
