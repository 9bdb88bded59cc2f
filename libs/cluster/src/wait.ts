// A bounded wait: polls `check` until it holds, gives up early with `failIf`'s reason (e.g. the process exited),
// or fails after timeoutMs naming what it waited for and the last state seen.
import { setTimeout as sleep } from 'node:timers/promises';
import { HatError } from '@hat/task-runtime';
import type { V1Node } from '@kubernetes/client-node';

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly failIf?: () => Promise<string | undefined>;
  /** The state to name when it times out (default: "not ready"). */
  readonly lastState?: () => string;
}

export async function waitUntil(what: string, check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    const dead = await opts.failIf?.();
    if (dead) throw new HatError(`${what}: ${dead}`);
    if (Date.now() > deadline) throw new HatError(`${what} ${opts.lastState?.() ?? 'not ready'} after ${Math.round(opts.timeoutMs / 1000)} s`);
    await sleep(250);
  }
}

export const nodeReady = (node: V1Node | undefined): boolean => node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
