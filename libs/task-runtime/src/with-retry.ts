import { oneLine } from './errors.ts';
import type { Logger } from './logger.ts';
import { retry } from './retry.ts';
import { TransientError } from './errors.ts';

export const NETWORK_ATTEMPTS = 3;

/** Runs a network step with bounded, jittered retries on transient failures; the last error says how often it tried. */
export async function withRetry<T>(ctx: { readonly log: Logger; readonly signal?: AbortSignal }, target: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await retry(fn, {
      attempts: NETWORK_ATTEMPTS,
      baseDelayMs: 1_000,
      maxDelayMs: 8_000,
      retryOn: (err) => err instanceof TransientError,
      onRetry: (err, attempt, delayMs) =>
        ctx.log.warn(`attempt ${attempt}/${NETWORK_ATTEMPTS} failed: ${oneLine(err instanceof Error ? err.message : String(err))}; retrying in ${delayMs} ms`),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    if (err instanceof TransientError) throw new TransientError(`cannot reach ${target} after ${NETWORK_ATTEMPTS} attempts: ${oneLine(err.message)}`, { cause: err });
    throw err;
  }
}
