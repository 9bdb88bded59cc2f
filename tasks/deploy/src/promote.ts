import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, HatError, InputError, TransientError, mask, retry, type Logger } from '@hat/task-runtime';
import { AuthError, authEnv, commitPaths, pushHead, resetToRemote, sparseClone, type GitAuth, type Identity } from '@hat/git';
import { applyDeploy, compareSemver, isGitopsError, readAppFiles, readAppState, unifiedDiff, type AppFiles, type AppPaths } from '@hat/gitops';

export interface PromoteRequest {
  readonly env: string;
  readonly app: string;
  readonly version: string;
  readonly rollback: boolean;
  readonly dryRun: boolean;
  readonly repo: { readonly url: string; readonly branch: string; readonly auth: GitAuth };
  readonly author: Identity;
  readonly trailers?: {
    readonly source?: string | undefined;
    readonly sourceCommit?: string | undefined;
    readonly pipelineRun?: string | undefined;
    readonly imageDigest?: string | undefined;
    readonly chartDigest?: string | undefined;
  };
  readonly log: Logger;
  /** A private HOME for git (tasks); undefined keeps the user's (CLI: their credential helpers apply). */
  readonly privateHome?: boolean;
  readonly signal?: AbortSignal;
  readonly limits?: Partial<PromoteLimits>;
}

export interface PromoteLimits {
  /** Attempts to reach the server (clone, fetch, push) before giving up. */
  readonly connectAttempts: number;
  /** Times a rejected push is re-applied on the new head. */
  readonly pushAttempts: number;
  readonly baseDelayMs: number;
}

export const DEFAULT_LIMITS: PromoteLimits = { connectAttempts: 4, pushAttempts: 40, baseDelayMs: 100 };

export type PromoteStatus = 'deployed' | 'unchanged' | 'superseded' | 'dry-run';

export interface PromoteOutcome {
  readonly status: PromoteStatus;
  readonly commit: string;
  readonly previousVersion: string;
  readonly changed: boolean;
  readonly diff: string;
}


/**
 * Commits `version` of `app` into one env repo: sets the umbrella chart's dependency version and the image tag,
 * byte-exact, and pushes; a rejected push is re-applied on the new head. A version never moves backwards
 * unless it is a rollback.
 */
export async function promote(req: PromoteRequest): Promise<PromoteOutcome> {
  const limits = { ...DEFAULT_LIMITS, ...req.limits };
  const { log, app, env, version } = req;
  const where = `${env} repo ${mask(req.repo.url)}`;
  const work = await mkdtemp(path.join(os.tmpdir(), `hat-deploy-${app}-`));
  const dir = path.join(work, 'repo');
  const appDir = `apps/${app}`;
  try {
    const gitEnv = await authEnv(req.repo.auth, req.repo.url, req.privateHome ? path.join(work, 'home') : undefined);
    const signal = req.signal ? { signal: req.signal } : {};
    const reachable = <T>(what: string, fn: () => Promise<T>): Promise<T> =>
      retry(fn, {
        attempts: limits.connectAttempts,
        baseDelayMs: limits.baseDelayMs * 5,
        retryOn: (err) => err instanceof TransientError,
        onRetry: (err, n, delay) => log.warn(`${what} failed (attempt ${n}/${limits.connectAttempts}): ${(err as Error).message}; retrying in ${delay} ms`),
        ...signal,
      }).catch((err: unknown) => {
        if (err instanceof AuthError) throw new AuthError(`${where}: authentication refused; check the credentials for ${env}`);
        if (err instanceof TransientError) throw new TransientError(`${where} unreachable after ${limits.connectAttempts} attempts: ${err.message}`);
        throw err;
      });

    await reachable('clone', () =>
      log.time(`cloned ${appDir}/ of ${where} (depth 1, sparse)`, async () => {
        await rm(dir, { recursive: true, force: true });
        await sparseClone({ url: req.repo.url, branch: req.repo.branch, dir, paths: [appDir], env: gitEnv, what: `clone of ${where}`, ...signal });
      }),
    );

    for (let attempt = 1; ; attempt++) {
      const { files, paths } = await readApp(dir, app, where);
      const state = envRepoContent(() => readAppState(files, paths));
      const current = state.dependency.version;
      const order = compareSemver(version, current);
      if (order === 0 && state.imageTag === version) {
        log.info(`${app} is already at ${version} in ${env}; nothing to do`);
        return { status: 'unchanged', commit: '', previousVersion: current, changed: false, diff: '' };
      }
      if (order < 0 && !req.rollback) {
        if (attempt === 1) {
          throw new InputError(`version ${version} is lower than ${current} deployed in ${env}; pass rollback=true (--rollback) to roll back`);
        }
        log.info(`a concurrent run already deployed ${app} ${current} to ${env}, newer than ${version}; nothing written`);
        return { status: 'superseded', commit: '', previousVersion: current, changed: false, diff: '' };
      }
      const next = envRepoContent(() => applyDeploy(files, { ...paths, version }));
      const diff = [
        unifiedDiff(`${appDir}/Chart.yaml`, files.chart, next.chart),
        unifiedDiff(`${appDir}/values.yaml`, files.values, next.values),
        files.lock !== undefined && next.lock !== undefined ? unifiedDiff(`${appDir}/Chart.lock`, files.lock, next.lock) : '',
      ].join('');
      if (req.dryRun) {
        log.info(`dry run: would deploy ${app} ${current} → ${version} to ${env}:\n${diff}`);
        return { status: 'dry-run', commit: '', previousVersion: current, changed: true, diff };
      }
      await writeFile(path.join(dir, appDir, 'Chart.yaml'), next.chart);
      await writeFile(path.join(dir, appDir, 'values.yaml'), next.values);
      if (next.lock !== undefined) await writeFile(path.join(dir, appDir, 'Chart.lock'), next.lock);
      const t = req.trailers ?? {};
      const commit = await commitPaths({
        cwd: dir,
        env: gitEnv,
        author: req.author,
        paths: [appDir],
        subject: `deploy(${app}): ${current} → ${version} (${env})`,
        trailers: [
          ['Hat-App', app],
          ['Hat-Env', env],
          ['Hat-Version', version],
          ['Hat-Previous-Version', current],
          ['Hat-Source', t.source],
          ['Hat-Source-Commit', t.sourceCommit],
          ['Hat-PipelineRun', t.pipelineRun],
          ['Hat-Image-Digest', t.imageDigest],
          ['Hat-Chart-Digest', t.chartDigest],
          ['Hat-Rollback', req.rollback && order < 0 ? 'true' : 'false'],
        ],
      });
      try {
        await reachable('push', () => log.time(`pushed ${commit.slice(0, 12)} to ${where}`, () => pushHead({ cwd: dir, branch: req.repo.branch, env: gitEnv, what: `push to ${where}`, ...signal })));
        log.info(`deployed ${app} ${current} → ${version} to ${env} (${commit.slice(0, 12)})`);
        return { status: 'deployed', commit, previousVersion: current, changed: true, diff };
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        if (attempt >= limits.pushAttempts) {
          throw new HatError(`${where}: push rejected ${attempt} times (the branch kept moving); nothing written`);
        }
        const delay = Math.round(Math.min(limits.baseDelayMs * 2 ** Math.min(attempt - 1, 5), 3000) * (0.5 + Math.random()));
        log.info(`push rejected (the branch moved); re-applying on the new head in ${delay} ms (attempt ${attempt + 1}/${limits.pushAttempts})`);
        await sleep(delay, undefined, signal);
        await reachable('fetch', () => resetToRemote({ dir, branch: req.repo.branch, env: gitEnv, what: `fetch of ${where}`, ...signal }));
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function readApp(dir: string, app: string, where: string): Promise<{ files: AppFiles; paths: Required<AppPaths> }> {
  const found = await readAppFiles(dir, app);
  if (!found) throw new InputError(`apps/${app}/ not found in ${where} (no Chart.yaml); scaffold it with: hat env add-app`);
  return found;
}

/** Env repo content errors (malformed YAML, no dependency, …) keep their one-line message and exit code. */
function envRepoContent<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isGitopsError(err)) throw err.exitCode === 2 ? new InputError(err.message) : new HatError(err.message);
    throw err;
  }
}
