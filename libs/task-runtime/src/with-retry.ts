import { oneLine } from './errors.ts';
import type { Logger } from './logger.ts';
import { retry } from './retry.ts';
import { REFUSED_ATTEMPTS, RefusedError, TransientError } from './errors.ts';

export const NETWORK_ATTEMPTS = 3;

/** Runs a network step with bounded, jittered retries on transient failures; the last error says how often it tried. */
export async function withRetry<T>(ctx: { readonly log: Logger; readonly signal?: AbortSignal }, target: string, fn: () => Promise<T>): Promise<T> {
  let made = 0;
  try {
    return await retry((attempt) => ((made = attempt), fn()), {
      attempts: NETWORK_ATTEMPTS,
      baseDelayMs: 1_000,
      maxDelayMs: 8_000,
      // A refused connection is tried REFUSED_ATTEMPTS times in all; timeouts and 5xx NETWORK_ATTEMPTS times.
      retryOn: (err, attempt) => err instanceof TransientError && !(err instanceof RefusedError && attempt >= REFUSED_ATTEMPTS),
      onRetry: (err, attempt, delayMs) =>
        ctx.log.warn(`attempt ${attempt}/${err instanceof RefusedError ? REFUSED_ATTEMPTS : NETWORK_ATTEMPTS} failed: ${oneLine(err instanceof Error ? err.message : String(err))}; retrying in ${delayMs} ms`),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    if (err instanceof TransientError) throw new TransientError(`cannot reach ${target} after ${made} attempt${made === 1 ? '' : 's'}: ${oneLine(err.message)}`, { cause: err });
    throw err;
  }
}
