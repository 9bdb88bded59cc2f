import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, HatError, REFUSED_ATTEMPTS, RefusedError, TransientError, mask, retry, type Logger } from '@hat/task-runtime';
import { authEnv, type GitAuth } from './auth.ts';
import { AuthError, HostKeyError, PushRefusedError } from './classify.ts';
import { commitMessage, type Identity } from './commit.ts';
import { git, withGitConfig } from './git.ts';
import { deleteBranch, pushHead } from './push.ts';
import { prepareSigningKey } from './signing.ts';
import { cloneFolders, commitFoldersEach, fetchFolders, refolder, resolvePaths, type FolderPaths, type Folders } from './folders.ts';
import { landThroughQueue } from './landing-queue.ts';

export interface RepoLimits {
  /** Attempts to reach the server (clone, fetch, push) before giving up. */
  readonly connectAttempts: number;
  /** Times a rejected push is re-applied on the new head. */
  readonly pushAttempts: number;
  readonly baseDelayMs: number;
  /**
   * How long a rejected commit waits in the repo's landing queue (landing-queue.ts) before it is withdrawn; 0 turns
   * the queue off (every loser re-applies on the new head and pushes again, as signed commits always do).
   */
  readonly queueWaitMs: number;
}

export const DEFAULT_REPO_LIMITS: RepoLimits = { connectAttempts: 4, pushAttempts: 40, baseDelayMs: 100, queueWaitMs: 20_000 };

/**
 * For the throwaway clone: no fsync (it is deleted; the server keeps what is pushed), and no automatic gc or
 * maintenance after its fetches (nothing there is kept long enough to gain from them).
 */
const CLONE_SETTINGS = [
  ['core.fsync', 'none'],
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
] as const;

/**
 * A clone kept from one update to the next, for a caller that updates one repo several times in a row (the landing
 * queue's holder, the deploy controller, batch after batch): the next update asks where the branch is (ls-remote) and
 * starts from the head this clone last had from the server or pushed, with no clone and no fetch of the head, or,
 * when the branch moved on, from its new tip, fetched alone (a push that still races is rejected, fetched and
 * re-applied as always). An update that fails drops it (the next clones afresh). Whoever made it removes it
 * (dropKeptClone).
 */
export interface KeptClone {
  work?: string | undefined;
  head?: string | undefined;
}

/** Removes a kept clone's folder. */
export async function dropKeptClone(kept: KeptClone): Promise<void> {
  if (kept.work) await rm(kept.work, { recursive: true, force: true });
  kept.work = undefined;
  kept.head = undefined;
}

/** One commit an edit asks for: what it takes from disk (files and folders, from the root), and its message. */
export interface EditCommit {
  readonly subject: string;
  readonly trailers: ReadonlyArray<readonly [string, string | undefined]>;
  readonly paths: readonly string[];
}

/**
 * What an edit decided: commit these paths (or several commits, one after the other, of disjoint paths, pushed
 * together), or stop with a value and write nothing.
 */
export type EditOutcome<T> = { readonly commit: EditCommit; readonly value: T } | { readonly commits: readonly EditCommit[]; readonly value: T } | { readonly done: T };

export interface UpdateRepoOptions<T> {
  readonly url: string;
  readonly branch: string;
  readonly auth: GitAuth;
  readonly author: Identity;
  /** Folders to write to disk, or how to choose them from the root's files (folders.ts); the root's files always come along. */
  readonly paths: FolderPaths;
  /** Names the repo in messages, e.g. "test repo https://…" (masked). */
  readonly where: string;
  readonly log: Logger;
  /** A private HOME for git (tasks); false keeps the user's, so their credential helpers apply (CLI). */
  readonly privateHome: boolean;
  /** An empty repo (no branch yet) is started with a first commit instead of failing. */
  readonly allowEmpty?: boolean;
  readonly signal?: AbortSignal;
  readonly limits?: Partial<RepoLimits>;
  /** Sign every commit with this SSH private key (its text); checked before the clone. */
  readonly signingKey?: { readonly key: string; readonly what: string };
  /**
   * Push the commit to this branch instead (based on `branch`'s head), replacing it only if it is still at `expect`
   * (undefined: only if it does not exist). A lost race is a ConflictError for the caller, not re-applied here.
   */
  readonly pushTo?: { readonly branch: string; readonly expect: string | undefined };
  /**
   * Runs after the push, while the clone is still there (e.g. opens the pull request for pushTo). If it throws, a
   * pushTo branch that did not exist before is deleted again (nothing left half-done) and the error is rethrown.
   */
  readonly afterPush?: (commit: string) => Promise<void>;
  /** Keep the clone for the next update with the same repo, branch and credentials (KeptClone). */
  readonly keep?: KeptClone;
  /**
   * Reads and writes files under `dir` (the root's files and `paths`; nothing else is there); runs again on the new
   * head after a rejected push (attempt > 1).
   */
  edit(dir: string, attempt: number): Promise<EditOutcome<T>>;
}

const shown = (paths: readonly string[]): string => paths.map((p) => `${p}/`).join(', ') || '/';

export interface UpdateRepoResult<T> {
  readonly value: T;
  /** The pushed commit (the last, for several), or undefined when the edit wrote nothing. */
  readonly commit: string | undefined;
  /** Every pushed commit, in the order the edit asked for them. */
  readonly commits: readonly string[];
  /** The branch's head as this run left it: the pushed commit, or the head the edit found and left alone. */
  readonly head: string;
}

/**
 * The one write path into a git repo: a clone of the root's files and `paths` (folders.ts), edit, commit, push; a
 * rejected push goes through the landing queue, or is fetched, re-edited on the new head and pushed again
 * (bounded, jittered); an unreachable server is retried (bounded).
 * Nothing is half-written: either the push lands or the remote is untouched.
 */
export async function updateRepo<T>(opts: UpdateRepoOptions<T>): Promise<UpdateRepoResult<T>> {
  const limits = { ...DEFAULT_REPO_LIMITS, ...opts.limits };
  const { log } = opts;
  const where = mask(opts.where);
  const { keep } = opts;
  const reuse = keep?.work !== undefined && keep.head !== undefined && !opts.pushTo;
  const work = reuse ? keep!.work! : await mkdtemp(path.join(os.tmpdir(), 'hat-repo-'));
  const dir = path.join(work, 'repo');
  const signal = opts.signal ? { signal: opts.signal } : {};
  let kept = false;
  try {
    // The signing key first: a bad one fails before the server is asked anything.
    const signingKey = opts.signingKey ? await prepareSigningKey(opts.signingKey.key, work, opts.signingKey.what) : undefined;
    const env = withGitConfig(await authEnv(opts.auth, opts.url, opts.privateHome ? path.join(work, 'home') : undefined, log), CLONE_SETTINGS);
    // A step that talks to the server: bounded retries (a refused connection fewer: REFUSED_ATTEMPTS), each
    // failure logged in one line without the URL, the final error naming the repo once.
    const reachable = <R>(what: string, fn: () => Promise<R>): Promise<R> => {
      let made = 0;
      return retry((n) => ((made = n), fn()), {
        attempts: limits.connectAttempts,
        baseDelayMs: limits.baseDelayMs * 5,
        retryOn: (err, n) => err instanceof TransientError && !(err instanceof RefusedError && n >= Math.min(REFUSED_ATTEMPTS, limits.connectAttempts)),
        onRetry: (err, n, delay) => log.warn(`${(err as Error).message} (attempt ${n}/${err instanceof RefusedError ? Math.min(REFUSED_ATTEMPTS, limits.connectAttempts) : limits.connectAttempts}); retrying in ${delay} ms`),
        ...signal,
      }).catch((err: unknown) => {
        if (err instanceof HostKeyError) throw new HostKeyError(`${where}: the server's host key is not the one in known_hosts; check known_hosts in its credentials`);
        if (err instanceof AuthError) throw new AuthError(`${where}: authentication refused; check its credentials`);
        if (err instanceof PushRefusedError) {
          const branch = opts.pushTo?.branch ?? opts.branch;
          throw new PushRefusedError(`${where}: the server refused the push to branch ${branch} (${err.reason}); check its branch protection and the credential's rights`, err.reason);
        }
        if (err instanceof TransientError) throw new TransientError(`${where} unreachable after ${made} attempt${made === 1 ? '' : 's'}: ${err.message}`);
        throw err;
      });
    };
    
    /** The clone is kept (its head as the server has it) when the caller asked, and the branch itself was written. */
    const keepClone = (head: string | undefined): boolean => {
      if (!keep || opts.pushTo || head === undefined) return false;
      keep.work = work;
      keep.head = head;
      return true;
    };
    let useQueue = limits.queueWaitMs > 0;
    let folders: Folders = { head: undefined, paths: [], files: [] };
    if (reuse) {
      const started = performance.now();
      // Where the branch is now (one ls-remote): at the kept head, the clone is used as it is; moved on (others
      // pushed meanwhile), its new tip is fetched first, so that the push is not rejected, fetched and re-applied.
      // (The clone's branch is at the kept head: an update that keeps the clone leaves it there.)
      const tip = await reachable('fetch', async () => (await git(['ls-remote', 'origin', `refs/heads/${opts.branch}`], { cwd: dir, env, what: 'fetch', ...signal })).stdout.split(/\s/)[0] ?? '');
      folders = await reachable('fetch', () => (tip === keep!.head ? refolder : fetchFolders)({ dir, branch: opts.branch, paths: opts.paths, env, what: 'fetch', ...signal }));
      log.info(`kept clone of ${where}, ${folders.head === keep!.head ? `at ${keep!.head!.slice(0, 12)} still` : `moved on to ${folders.head?.slice(0, 12)}`}, with ${shown(folders.paths)} (${Math.round(performance.now() - started)} ms)`);
    } else await reachable('clone', async () => {
      const started = performance.now();
      await rm(dir, { recursive: true, force: true });
      try {
        folders = await cloneFolders({ url: opts.url, branch: opts.branch, dir, paths: opts.paths, env, what: 'clone', ...signal });
      } catch (err) {
        if (!(opts.allowEmpty && err instanceof Error && /Remote branch .* not found|not found in upstream/.test(err.message))) throw err;
        await git(['init', '--quiet', '--initial-branch', opts.branch, dir], { env });
        await git(['remote', 'add', 'origin', opts.url], { cwd: dir, env });
        folders = { head: undefined, paths: await resolvePaths(opts.paths, () => Promise.resolve(undefined)), files: [] };
      }
      log.info(`cloned ${shown(folders.paths)} of ${where} (depth 1, those folders only) (${Math.round(performance.now() - started)} ms)`);
    });

    for (let attempt = 1; ; attempt++) {
      const outcome = await opts.edit(dir, attempt);
      if ('done' in outcome) {
        kept = keepClone(folders.head);
        return { value: outcome.done, commit: undefined, commits: [], head: folders.head ?? '' };
      }
      const asked = 'commits' in outcome ? outcome.commits : [outcome.commit];
      const commits = await commitFoldersEach({
        dir,
        branch: opts.branch,
        folders,
        env,
        author: opts.author,
        commits: asked.map((c) => ({ paths: c.paths, message: commitMessage(c.subject, c.trailers) })),
        ...(signingKey ? { signingKey } : {}),
      });
      const commit = commits.at(-1)!;
      const paths = asked.flatMap((c) => c.paths);
      try {
        await reachable('push', async () => {
          const started = performance.now();
          const target = opts.pushTo ? { branch: opts.pushTo.branch, lease: opts.pushTo.expect ?? '' } : { branch: opts.branch };
          await pushHead({ cwd: dir, ...target, env, what: 'push', ...signal });
          log.info(`pushed ${commits.length > 1 ? `${commits.length} commits, up to ` : ''}${commit.slice(0, 12)} to ${where}${opts.pushTo ? ` branch ${opts.pushTo.branch}` : ''} (${Math.round(performance.now() - started)} ms)`);
        });
      } catch (err) {
        if (!(err instanceof ConflictError) || opts.pushTo) throw err;
        if (attempt >= limits.pushAttempts) throw new HatError(`${where}: push rejected ${attempt} times (the branch kept moving); nothing written`);
        // Signed commits cannot be landed by another run (it would have to sign them), and a request carries only
        // the folders in `paths`: those commits re-apply themselves.
        if (useQueue && !signingKey && commits.length === 1 && paths.every((p) => folders.paths.some((folder) => p === folder || p.startsWith(`${folder}/`)))) {
          const queued = await landThroughQueue({
            dir,
            branch: opts.branch,
            env,
            log,
            where,
            commit,
            paths: folders.paths,
            waitMs: limits.queueWaitMs,
            maxAgeMs: limits.queueWaitMs * 2,
            reachable,
            ...signal,
          });
          if ('landed' in queued) return { value: outcome.value, commit: queued.landed, commits: [queued.landed], head: queued.landed };
          if ('refused' in queued) {
            // A server that refuses the queue's refs (a forge's hook): back to re-applying, for the rest of this run.
            log.warn(`${where} refuses the landing queue's refs (${queued.refused}); re-applying on the new head instead`);
            useQueue = false;
          } else {
            const why = queued.retry === 'stale' ? `the branch changed ${shown(folders.paths)} since this commit's base` : `not landed after ${Math.round(limits.queueWaitMs / 1000)} s in the queue`;
            log.info(`${why}; re-applying on the new head (attempt ${attempt + 1}/${limits.pushAttempts})`);
            folders = await reachable('fetch', () => fetchFolders({ dir, branch: opts.branch, paths: opts.paths, env, what: 'fetch', ...signal }));
            continue;
          }
        }
        const delay = Math.round(Math.min(limits.baseDelayMs * 2 ** Math.min(attempt - 1, 5), 3000) * (0.5 + Math.random()));
        log.info(`push rejected (the branch moved); re-applying on the new head in ${delay} ms (attempt ${attempt + 1}/${limits.pushAttempts})`);
        await sleep(delay, undefined, signal);
        folders = await reachable('fetch', () => fetchFolders({ dir, branch: opts.branch, paths: opts.paths, env, what: 'fetch', ...signal }));
        continue;
      }
      if (opts.afterPush) {
        try {
          await opts.afterPush(commit);
        } catch (err) {
          if (opts.pushTo && opts.pushTo.expect === undefined) {
            const branch = opts.pushTo.branch;
            await reachable('delete', () => deleteBranch({ cwd: dir, branch, expect: commit, env, what: 'delete', ...signal })).then(
              () => log.info(`deleted branch ${branch} again: nothing left half-done`),
              (cleanup: unknown) => log.warn(`could not delete branch ${branch} again (${(cleanup as Error).message}); delete it by hand`),
            );
          }
          throw err;
        }
      }
      kept = keepClone(commit);
      return { value: outcome.value, commit, commits, head: opts.pushTo ? '' : commit };
    }
  } finally {
    if (!kept) {
      await rm(work, { recursive: true, force: true });
      if (keep) keep.work = keep.head = undefined;
    }
  }
}
