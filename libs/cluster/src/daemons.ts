// The cluster's long-running processes: started detached (they outlive `hat cluster up`), output to a log file,
// PID in a file; stopped by that PID alone (SIGTERM, then SIGKILL after a bounded wait), never by name.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HatError } from '@hat/task-runtime';
import type { ClusterLayout } from './state.ts';

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function startDaemon(layout: ClusterLayout, name: string, file: string, args: readonly string[], env: Record<string, string> = {}): Promise<number> {
  await mkdir(layout.logs, { recursive: true });
  await mkdir(layout.pids, { recursive: true });
  const running = await daemonPid(layout, name);
  if (running !== undefined) return running;
  const fd = openSync(path.join(layout.logs, `${name}.log`), 'a');
  const child = spawn(file, args, { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  closeSync(fd);
  if (child.pid === undefined) throw new HatError(`${name}: could not start ${file}`);
  child.unref();
  await writeFile(path.join(layout.pids, `${name}.pid`), String(child.pid));
  return child.pid;
}

/** The PID of a daemon this cluster started, if it still runs. */
export async function daemonPid(layout: ClusterLayout, name: string): Promise<number | undefined> {
  const text = await readFile(path.join(layout.pids, `${name}.pid`), 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return pid > 1 && alive(pid) ? pid : undefined;
}

export async function daemonNames(layout: ClusterLayout): Promise<string[]> {
  return (await readdir(layout.pids).catch(() => [])).filter((f) => f.endsWith('.pid')).map((f) => f.slice(0, -4));
}

/** The last lines of a daemon's log, for error messages. */
export async function logTail(layout: ClusterLayout, name: string, lines = 5): Promise<string> {
  const text = await readFile(path.join(layout.logs, `${name}.log`), 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function stopDaemon(layout: ClusterLayout, name: string, graceMs = 10_000): Promise<void> {
  const pid = await daemonPid(layout, name);
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  }
  await rm(path.join(layout.pids, `${name}.pid`), { force: true });
}
