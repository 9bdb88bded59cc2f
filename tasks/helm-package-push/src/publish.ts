import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  chartContent,
  chartUrl,
  diffChartContent,
  HelmNotFoundError,
  pull,
  push,
  type ChartContent,
  type HelmHome,
  type OciRepository,
} from '@hat/helm';
import { InputError, retry, TransientError, type Logger } from '@hat/task-runtime';

export interface PublishInput {
  readonly archive: string;
  readonly content: ChartContent;
  readonly name: string;
  readonly version: string;
  readonly repo: OciRepository;
  readonly plainHttp: boolean;
  readonly home: HelmHome;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly scratch: string;
}

export interface PublishResult {
  readonly digest: string;
  readonly pushed: boolean;
}

export const RETRY = { attempts: 4, baseDelayMs: 500, maxDelayMs: 4_000 } as const;

/** Runs a registry step with bounded retries on TransientError; the last failure says how often it tried. */
export async function withRetry<T>(what: string, fn: () => Promise<T>, log: Logger, signal: AbortSignal): Promise<T> {
  try {
    return await retry(fn, {
      ...RETRY,
      signal,
      retryOn: (err) => err instanceof TransientError,
      onRetry: (err, attempt, delay) => log.warn(`${err instanceof Error ? err.message : String(err)}; ${what}: attempt ${attempt + 1} of ${RETRY.attempts} in ${delay} ms`),
    });
  } catch (err) {
    if (err instanceof TransientError) throw new TransientError(`${err.message}; gave up after ${RETRY.attempts} attempts`, { cause: err });
    throw err;
  }
}

/**
 * Pushes the chart unless that version is already in the registry. Chart versions are immutable:
 * a version already there with the same content (same files, same bytes; see chartContent) is
 * success with nothing pushed; with other content it is an error, and the registry is left as is.
 * Each attempt checks again before it pushes, so a retried push never overwrites.
 */
export async function publish(input: PublishInput): Promise<PublishResult> {
  const ref = `${chartUrl(input.repo, input.name)}:${input.version}`;
  const opts = { home: input.home, plainHttp: input.plainHttp, signal: input.signal, log: input.log };
  return withRetry(
    `push of ${ref}`,
    async () => {
      const existing = await pullIfPresent(input, opts);
      if (existing) {
        const differences = diffChartContent(existing.content, input.content);
        if (differences.length === 0) {
          input.log.info(`${ref} is already in the registry with the same content (${input.content.digest}); nothing pushed`);
          return { digest: existing.digest, pushed: false };
        }
        const shown = differences.slice(0, 5).join(', ') + (differences.length > 5 ? `, … (${differences.length} files)` : '');
        throw new InputError(
          `${ref} already exists in the registry with different content (${shown}); chart versions are immutable, so push a new version`,
        );
      }
      const pushed = await input.log.time(`push of ${ref}`, () => push(input.archive, input.repo.url, opts));
      return { digest: pushed.digest, pushed: true };
    },
    input.log,
    input.signal,
  );
}

async function pullIfPresent(
  input: PublishInput,
  opts: { home: HelmHome; plainHttp: boolean; signal: AbortSignal },
): Promise<{ digest: string; content: ChartContent } | undefined> {
  const dir = await mkdtemp(path.join(input.scratch, 'existing-'));
  try {
    const pulled = await pull(chartUrl(input.repo, input.name), { ...opts, version: input.version, destination: dir });
    if (pulled.digest === undefined) throw new TransientError(`helm pull of ${input.name}:${input.version} reported no digest`);
    return { digest: pulled.digest, content: await chartContent(pulled.path) };
  } catch (err) {
    if (err instanceof HelmNotFoundError) return undefined;
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
