import { classifyGitError } from '@hat/git';
import { CommandError, run, type RunOutput } from '@hat/task-runtime';

export interface GitLongOptions {
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly what: string;
  readonly signal?: AbortSignal;
  /** Looked for in git's stderr before classification; turns the failure into the error it returns. */
  readonly onStderr?: (stderr: string) => Error | undefined;
}

/** Minutes a fetch may take: large repos over slow links need more than libs/git's two minutes. */
const FETCH_TIMEOUT_MS = 15 * 60_000;

/** git for transfers (fetch, submodule update): a long timeout, and stderr inspected before libs/git classifies it. */
export async function gitLong(args: readonly string[], opts: GitLongOptions): Promise<RunOutput> {
  try {
    return await run('git', args, {
      cwd: opts.cwd,
      env: { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...opts.env },
      timeoutMs: FETCH_TIMEOUT_MS,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    const specific = err instanceof CommandError ? opts.onStderr?.(err.stderrTail) : undefined;
    throw specific ?? classifyGitError(err, opts.what);
  }
}
