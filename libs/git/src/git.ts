import { CommandError, run, type RunOutput } from '@hat/task-runtime';
import { classifyGitError } from './classify.ts';

export interface GitOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly input?: string;
  readonly signal?: AbortSignal;
  readonly okExitCodes?: readonly number[];
  /** Names the operation in errors, e.g. "clone of gitops-test". */
  readonly what?: string;
  /** Default 2 minutes; transfers of large repos over slow links want more. */
  readonly timeoutMs?: number;
  /** Looked at in git's stderr before the generic classification; an error it returns is thrown instead. */
  readonly onStderr?: (stderr: string) => Error | undefined;
}

/** Runs git with an argument array; its errors come back classified (ConflictError, TransientError, AuthError, CommandError). */
export async function git(args: readonly string[], opts: GitOptions = {}): Promise<RunOutput> {
  try {
    return await run('git', args, {
      env: { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...opts.env },
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
      ...(opts.okExitCodes !== undefined ? { okExitCodes: opts.okExitCodes } : {}),
      timeoutMs: opts.timeoutMs ?? 120_000,
    });
  } catch (err) {
    const specific = err instanceof CommandError ? opts.onStderr?.(err.stderrTail) : undefined;
    throw specific ?? classifyGitError(err, opts.what ?? `git ${args[0] ?? ''}`);
  }
}

/** Adds config entries to a GIT_CONFIG_COUNT/KEY_n/VALUE_n environment (command-line scope: never written to a file). */
export function withGitConfig(env: Record<string, string>, entries: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const out = { ...env };
  let count = Number(out['GIT_CONFIG_COUNT'] ?? '0');
  for (const [key, value] of entries) {
    out[`GIT_CONFIG_KEY_${count}`] = key;
    out[`GIT_CONFIG_VALUE_${count}`] = value;
    count++;
  }
  out['GIT_CONFIG_COUNT'] = String(count);
  return out;
}
