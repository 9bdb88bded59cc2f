import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Total attempts, first one included. */
  readonly attempts: number;
  /** Base delay; attempt n waits base·2^(n-1), jittered ±50 %, capped at maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs?: number;
  /** Whether an error is worth another attempt (after `attempt` attempts). */
  readonly retryOn: (err: unknown, attempt: number) => boolean;
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  readonly signal?: AbortSignal;
}

/** Bounded retries with jittered exponential backoff; the last error is rethrown. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.attempts || !opts.retryOn(err, attempt) || opts.signal?.aborted) throw err;
      const exp = Math.min(opts.baseDelayMs * 2 ** (attempt - 1), opts.maxDelayMs ?? 10_000);
      const delay = Math.round(exp * (0.5 + Math.random()));
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay, undefined, opts.signal ? { signal: opts.signal } : {});
    }
  }
}
