// "Prod only from stage": an env may require that what it deploys ran in another env first. The upstream env repo's
// deploy history (its commits' trailers, read without trees or blobs) must hold the version, or a deploy of the same
// source commit (a tag built from the commit stage ran gets its own version); a rollback to a version this env ran
// itself before is allowed. Anything else is refused before the env repo is touched.
import { AuthError, type GitAuth } from '@hat/git';
import { HatError, InputError, oneLine, withRetry, type Logger } from '@hat/task-runtime';
import { readDeployHistory, type DeployRecord } from './history.ts';

export interface UpstreamRepo {
  /** The upstream env's name (e.g. stage). */
  readonly env: string;
  readonly url: string;
  readonly branch: string;
  /** Read-only credentials are enough. */
  readonly auth: GitAuth;
}

export interface UpstreamCheck {
  readonly env: string;
  readonly app: string;
  readonly version: string;
  readonly sourceCommit?: string | undefined;
  readonly rollback: boolean;
  readonly upstream: UpstreamRepo;
  /** This env's own repo: read only for a rollback (did this env run the version before?). */
  readonly own: { readonly url: string; readonly branch: string; readonly auth: GitAuth };
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /**
   * Histories already read, by repo: the landing queue's holder checks a whole batch against one read of each repo
   * (each read clones the repo's whole commit history), not one per request.
   */
  readonly histories?: Map<string, Promise<DeployRecord[]>>;
}

const short = (sha: string): string => sha.slice(0, 12);
/** Same commit, whether either side is abbreviated (at least 7 hex digits). */
const sameCommit = (a: string, b: string): boolean => {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return Math.min(x.length, y.length) >= 7 && (x.startsWith(y) || y.startsWith(x));
};

async function historyOf(env: string, repo: { url: string; branch: string; auth: GitAuth }, app: string, check: UpstreamCheck): Promise<DeployRecord[]> {
  const read = () => withRetry({ log: check.log, ...(check.signal ? { signal: check.signal } : {}) }, `${env} repo ${repo.url}`, () => readDeployHistory(env, repo.url, repo.branch, repo.auth));
  try {
    const key = `${env} ${repo.url}#${repo.branch}`;
    let records = check.histories?.get(key);
    if (!records) {
      // In a batch, said once (the runs behind it each log their own check's reason).
      records = check.histories ? check.log.time((all) => `read the ${env} repo's deploy history for the batch (${all.length} deploy${all.length === 1 ? '' : 's'})`, read) : read();
      check.histories?.set(key, records);
    }
    return (await records).filter((r) => r.app === app);
  } catch (err) {
    const why = err instanceof AuthError ? 'its credentials were refused' : oneLine(err instanceof Error ? err.message : String(err));
    throw new HatError(`${check.env} takes only what ${check.upstream.env} ran, but the ${env} repo ${repo.url} cannot be read (${why}); nothing written`);
  }
}

/** Resolves with the reason the deploy may go on (logged), or throws InputError (exit 2) naming env, version and commit. */
export async function checkUpstream(check: UpstreamCheck): Promise<string> {
  const { app, version, upstream } = check;
  const ran = await historyOf(upstream.env, upstream, app, check);
  const byVersion = ran.find((r) => r.version === version);
  if (byVersion) return `${upstream.env} ran ${app} ${version} (${upstream.env} commit ${short(byVersion.commit)})`;
  const bySource = check.sourceCommit ? ran.find((r) => r.sourceCommit && sameCommit(r.sourceCommit, check.sourceCommit!)) : undefined;
  if (bySource) return `${upstream.env} ran source commit ${short(check.sourceCommit!)} as ${app} ${bySource.version} (${upstream.env} commit ${short(bySource.commit)})`;
  if (check.rollback) {
    const mine = (await historyOf(check.env, check.own, app, check)).find((r) => r.version === version);
    if (mine) return `a rollback to ${app} ${version}, which ${check.env} ran before (commit ${short(mine.commit)})`;
  }
  const commit = check.sourceCommit ? `source commit ${short(check.sourceCommit)}` : 'no source commit given';
  throw new InputError(
    `${check.env} takes only what ${upstream.env} ran: ${app} ${version} (${commit}) was never deployed to ${upstream.env} (${upstream.url}); deploy it to ${upstream.env} first${check.rollback ? '' : ', or roll back to a version this env ran before (rollback=true)'}`,
  );
}
