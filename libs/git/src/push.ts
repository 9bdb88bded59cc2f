import { git } from './git.ts';

export interface PushOptions {
  readonly cwd: string;
  readonly branch: string;
  readonly env: Record<string, string>;
  readonly what: string;
  readonly signal?: AbortSignal;
  /**
   * Replace the branch only if it is still at this commit ('' = only if it does not exist): git's
   * --force-with-lease, for a branch HAT owns (a pull request's head) that it rewrites.
   */
  readonly lease?: string;
}

/** Pushes HEAD to the branch; a rejection surfaces as ConflictError (the caller re-applies on the new head). */
export async function pushHead(opts: PushOptions): Promise<void> {
  const ref = `refs/heads/${opts.branch}`;
  const lease = opts.lease === undefined ? [] : [`--force-with-lease=${ref}:${opts.lease}`];
  await git(['-c', 'advice.pushUpdateRejected=false', 'push', ...lease, 'origin', `HEAD:${ref}`], {
    cwd: opts.cwd,
    env: opts.env,
    what: opts.what,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/** Deletes the branch if it is still at `expect` (a branch this run pushed and must not leave behind). */
export async function deleteBranch(opts: Omit<PushOptions, 'lease'> & { readonly expect: string }): Promise<void> {
  const ref = `refs/heads/${opts.branch}`;
  await git(['push', `--force-with-lease=${ref}:${opts.expect}`, 'origin', `:${ref}`], {
    cwd: opts.cwd,
    env: opts.env,
    what: opts.what,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
