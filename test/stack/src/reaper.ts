// A detached watchdog per server directory. When the parent process dies without cleaning up (SIGKILL,
// crash) or the maximum lifetime passes, it kills every process group listed in <dir>/pids/ and removes
// <dir>. It exits by itself as soon as <dir> is gone, i.e. after a normal stop().
import { execa } from 'execa';

// Plain CommonJS run with `node -e`; argv: parent pid, server dir, deadline (ms since epoch).
const REAPER_SOURCE = `
const fs = require('node:fs');
const path = require('node:path');
const parent = Number(process.argv[1]);
const dir = process.argv[2];
const deadline = Number(process.argv[3]);
function killAll() {
  let files = [];
  try { files = fs.readdirSync(path.join(dir, 'pids')); } catch {}
  for (const file of files) {
    let pgid = 0;
    try { pgid = Number(fs.readFileSync(path.join(dir, 'pids', file), 'utf8')); } catch {}
    if (pgid > 1) { try { process.kill(-pgid, 'SIGKILL'); } catch {} }
  }
}
function parentAlive() {
  if (process.ppid !== parent) return false;
  try { process.kill(parent, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}
function tick() {
  if (!fs.existsSync(dir)) process.exit(0);
  if (parentAlive() && Date.now() < deadline) { setTimeout(tick, 1000); return; }
  killAll();
  setTimeout(() => {
    killAll();
    try { fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 }); } catch {}
    process.exit(0);
  }, 300);
}
tick();
`;

export interface Reaper {
  readonly pid: number | undefined;
  stop(): void;
}

export function startReaper(dir: string, deadlineMs: number): Reaper {
  const subprocess = execa(process.execPath, ['-e', REAPER_SOURCE, String(process.pid), dir, String(deadlineMs)], {
    detached: true,
    cleanup: false,
    stdio: 'ignore',
    reject: false,
    env: { NODE_OPTIONS: '' },
  });
  subprocess.unref();
  void subprocess.catch(() => undefined);
  return {
    pid: subprocess.pid,
    stop() {
      if (subprocess.pid === undefined) return;
      try {
        process.kill(subprocess.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
