import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '@hat/task-runtime';
import { authEnv, type GitAuth } from './auth.ts';
import { git } from './git.ts';

export interface ContainsOptions {
  readonly url: string;
  readonly branch: string;
  readonly auth: GitAuth;
  /** A private HOME for git (tasks); false keeps the user's (CLI). */
  readonly privateHome: boolean;
  /** The commit looked for. */
  readonly commit: string;
  /** The commit whose history may hold it. */
  readonly revision: string;
  /** No later than `commit`'s date: history older than this is not fetched. */
  readonly since: Date;
  readonly log?: Logger;
  readonly signal?: AbortSignal;
}

const present = async (dir: string, sha: string): Promise<boolean> =>
  (await git(['cat-file', '-e', `${sha}^{commit}`], { cwd: dir, okExitCodes: [0, 1, 128], env: { GIT_NO_LAZY_FETCH: '1' } })).exitCode === 0;

/**
 * Whether `revision` is `commit` or has it in its history on the remote branch (a later deploy landed on top of
 * it). Fetches the branch's commits since `since` only, no trees and no blobs, into a private temp repo, so its cost
 * grows with neither the repo's size nor its history. False when `revision` is older than `commit` or not on the branch.
 */
export async function revisionContains(opts: ContainsOptions): Promise<boolean> {
  if (opts.revision === opts.commit) return true;
  const work = await mkdtemp(path.join(os.tmpdir(), 'hat-ancestry-'));
  try {
    const env = await authEnv(opts.auth, opts.url, opts.privateHome ? path.join(work, 'home') : undefined, opts.log);
    const dir = path.join(work, 'repo');
    const since = opts.since.toISOString().replace(/\.\d+Z$/, 'Z');
    await git(['clone', '--quiet', '--bare', '--filter=tree:0', '--single-branch', '--branch', opts.branch, `--shallow-since=${since}`, '--', opts.url, dir], {
      env,
      what: 'fetch of the recent history',
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (!(await present(dir, opts.commit)) || !(await present(dir, opts.revision))) return false;
    return (await git(['merge-base', '--is-ancestor', opts.commit, opts.revision], { cwd: dir, env: { GIT_NO_LAZY_FETCH: '1' }, okExitCodes: [0, 1] })).exitCode === 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
