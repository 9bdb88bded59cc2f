// One long-running server process, wrapped in coreutils `timeout` so it exits by itself at the end of
// its lifetime, with stdout/stderr appended to a log file and its process-group id in a pid file.
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { findBinary } from './binaries.ts';
import { groupMembers, signalGroup } from './process-group.ts';

export interface DaemonSpec {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env?: Record<string, string>;
  lifetimeSeconds: number;
  logFile: string;
  pidFile: string;
}

export interface Daemon {
  readonly name: string;
  /** pid of the `timeout` wrapper, which is also the process-group id. */
  readonly pgid: number;
  exitReason(): string | undefined;
  logTail(lines?: number): string;
  stop(): Promise<void>;
  killSync(): void;
}

export function startDaemon(spec: DaemonSpec): Daemon {
  // execa's types only list small fd literals; any open fd works at runtime (passed to spawn).
  const fd = openSync(spec.logFile, 'a') as 3;
  const args = ['--kill-after=5', String(spec.lifetimeSeconds), spec.command, ...spec.args];
  const subprocess = execa(findBinary('timeout'), args, {
    cwd: spec.cwd,
    env: spec.env ?? {},
    stdin: 'ignore',
    stdout: fd,
    stderr: fd,
    reject: false,
    cleanup: true,
  });
  closeSync(fd);
  // The owner's event loop does not wait for servers: when it ends, the exit hook stops them.
  subprocess.unref();
  const pgid = subprocess.pid;
  if (pgid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
  writeFileSync(spec.pidFile, String(pgid));

  let exit: string | undefined;
  const exited = subprocess.then((result) => {
    exit = result.signal !== undefined ? `killed by ${result.signal}` : `exited with code ${result.exitCode ?? '?'}`;
  });

  const logTail = (lines = 15): string => {
    try {
      return readFileSync(spec.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };

  return {
    name: spec.name,
    pgid,
    exitReason: () => (exit === undefined ? undefined : `${spec.name} ${exit}\n${logTail()}`),
    logTail,
    async stop() {
      if (exit === undefined) {
        subprocess.ref(); // keep the owner alive until the server has exited
        signalGroup(pgid, 'SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(5_000, false, { ref: false })]);
        if (!done) signalGroup(pgid, 'SIGKILL');
        await exited;
      }
      // Workers may outlive the leader by a moment; make sure none is left.
      for (let i = 0; i < 40 && groupMembers(pgid).length > 0; i++) await sleep(25);
      if (groupMembers(pgid).length > 0) signalGroup(pgid, 'SIGKILL');
      rmSync(spec.pidFile, { force: true });
    },
    killSync() {
      signalGroup(pgid, 'SIGKILL');
    },
  };
}
