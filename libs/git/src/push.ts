import { git } from './git.ts';

export interface PushOptions {
  readonly cwd: string;
  readonly branch: string;
  readonly env: Record<string, string>;
  readonly what: string;
  readonly signal?: AbortSignal;
}

/** Pushes HEAD to the branch; a rejection surfaces as ConflictError (the caller re-applies on the new head). */
export async function pushHead(opts: PushOptions): Promise<void> {
  await git(['-c', 'advice.pushUpdateRejected=false', 'push', 'origin', `HEAD:refs/heads/${opts.branch}`], {
    cwd: opts.cwd,
    env: opts.env,
    what: opts.what,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
