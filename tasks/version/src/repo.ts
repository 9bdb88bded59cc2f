import { git } from '@hat/git';
import { InputError, HatError, TransientError, retry, type Logger } from '@hat/task-runtime';

/** git in the source work tree; safe.directory lets git read a tree another user (the clone step) owns. */
export function repoGit(dir: string, signal: AbortSignal) {
  const env = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'safe.directory', GIT_CONFIG_VALUE_0: dir };
  return async (args: readonly string[], what?: string): Promise<string> =>
    (await git(args, { cwd: dir, env, signal, ...(what !== undefined ? { what } : {}) })).stdout.trim();
}

type RepoGit = ReturnType<typeof repoGit>;

const lines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l !== '');

/**
 * Makes sure the clone knows its history and tags. A shallow clone is deepened from origin
 * (`fetch --unshallow --tags`) and fails clearly when it cannot be; a full clone gets origin's tags
 * too, and goes on with the tags it has (with a warning) when origin cannot be reached.
 */
export async function ensureHistory(g: RepoGit, log: Logger, signal: AbortSignal): Promise<void> {
  const shallow = (await g(['rev-parse', '--is-shallow-repository'])) === 'true';
  const hasOrigin = lines(await g(['remote'])).includes('origin');
  if (!hasOrigin) {
    if (shallow) throw new InputError('the clone in workspace source is shallow and has no remote origin to deepen it from; clone with full history (depth 0) and tags');
    return;
  }
  const args = ['fetch', '--quiet', '--tags', '--force', ...(shallow ? ['--unshallow'] : []), 'origin'];
  try {
    await log.time(shallow ? 'deepened the shallow clone and fetched tags from origin' : 'fetched tags from origin', () =>
      retry(() => g(args, shallow ? 'deepening the shallow clone' : 'fetching tags'), {
        attempts: 3,
        baseDelayMs: 500,
        retryOn: (err) => err instanceof TransientError,
        signal,
        onRetry: (err, attempt, delay) => log.warn(`${err instanceof Error ? err.message : String(err)}; attempt ${attempt + 1} in ${delay} ms`),
      }),
    );
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (shallow) throw new HatError(`the clone in workspace source is shallow and could not be deepened (${why}); clone with full history (depth 0) and tags, or let this task reach origin`, { cause: err });
    log.warn(`could not fetch tags from origin (${why}); using the tags in the clone`);
    return;
  }
  if ((await g(['rev-parse', '--is-shallow-repository'])) === 'true') {
    throw new HatError('the clone in workspace source is still shallow after fetching from origin; clone with full history (depth 0) and tags');
  }
}

export interface CommitFacts {
  readonly sha: string;
  /** The current branch, or undefined on a detached HEAD. */
  readonly branch: string | undefined;
  readonly tagsAtHead: readonly string[];
  readonly reachableTags: readonly string[];
}

export async function commitFacts(g: RepoGit): Promise<CommitFacts> {
  const sha = await g(['rev-parse', '--verify', 'HEAD^{commit}'], 'reading HEAD');
  const branch = (await g(['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')) || undefined;
  const tagsAtHead = lines(await g(['tag', '--points-at', 'HEAD']));
  const reachableTags = lines(await g(['tag', '--merged', 'HEAD']));
  return { sha, branch, tagsAtHead, reachableTags };
}

/** Commits reachable from HEAD and not from `tag` (all of HEAD's commits when tag is undefined). */
export async function commitsSince(g: RepoGit, tag: string | undefined): Promise<number> {
  const args = tag === undefined ? ['rev-list', '--count', 'HEAD'] : ['rev-list', '--count', 'HEAD', '--not', `refs/tags/${tag}^{commit}`];
  return Number(await g(args));
}
