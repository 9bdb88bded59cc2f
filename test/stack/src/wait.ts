// Polls until a check passes, a deadline passes, or the thing being waited for has died.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Returns a reason to give up early (e.g. "nginx exited: ..."), or undefined to keep waiting. */
  failIf?: () => string | undefined;
}

export async function waitFor(check: () => Promise<boolean> | boolean, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let interval = options.intervalMs ?? 10;
  for (;;) {
    const reason = options.failIf?.();
    if (reason !== undefined) throw new Error(`${options.what}: ${reason}`);
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${options.what}: not ready after ${options.timeoutMs ?? 15_000} ms`);
    await sleep(interval);
    interval = Math.min(interval * 2, 200);
  }
}
