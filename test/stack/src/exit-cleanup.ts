// Synchronous cleanups run when this process exits or is killed by SIGINT/SIGTERM/SIGHUP.
// signal-exit (execa's own dependency) re-raises the signal afterwards, so Ctrl-C still stops the run.
import { onExit } from 'signal-exit';

const cleanups = new Set<() => void>();
let installed = false;

export function onProcessExit(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    onExit(() => {
      for (const fn of [...cleanups]) {
        try {
          fn();
        } catch {
          // keep cleaning up the rest
        }
      }
    }, { alwaysLast: true });
  }
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}
