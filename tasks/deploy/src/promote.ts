import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HatError, InputError, type Logger } from '@hat/task-runtime';
import { updateRepo, type GitAuth, type Identity, type RepoLimits } from '@hat/git';
import { appDir, appFolder, applyDeploy, compareSemver, isGitopsError, parseSemver, readAppFiles, readLayout, readAppState, unifiedDiff, type AppFiles, type AppPaths } from '@hat/gitops';

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
  /** A private HOME for git (tasks); false keeps the user's (CLI: their credential helpers apply). */
  readonly privateHome?: boolean;
  readonly signal?: AbortSignal;
  readonly limits?: Partial<RepoLimits>;
  /** Runs once, on the env repo as cloned, before anything is written: the artifact checks (throw to refuse). */
  readonly beforeCommit?: (dependency: { readonly name: string; readonly repository: string }) => Promise<void>;
  /** SSH private key (its text) that signs the deploy commit, and where it came from (for a one-line error). */
  readonly signingKey?: { readonly key: string; readonly what: string };
  /** Pull-request mode: push to this branch instead (see updateRepo), then `afterPush` opens or updates its pull request. */
  readonly pushTo?: { readonly branch: string; readonly expect: string | undefined };
  readonly afterPush?: (commit: string, change: Change) => Promise<void>;
}

/** The deploy commit's subject, diff and trailers (a pull request's title and body). */
export interface Change {
  readonly subject: string;
  readonly diff: string;
  readonly trailers: ReadonlyArray<readonly [string, string | undefined]>;
}

export type PromoteStatus = 'deployed' | 'unchanged' | 'superseded' | 'dry-run';

export interface PromoteOutcome {
  readonly status: PromoteStatus;
  readonly commit: string;
  readonly previousVersion: string;
  readonly changed: boolean;
  readonly diff: string;
  /** The env repo branch's head as this run left it (its commit, or the head it found at the version already). */
  readonly head: string;
}

type Value = Omit<PromoteOutcome, 'commit' | 'head'>;

/**
 * Commits `version` of `app` into one env repo: sets the umbrella chart's dependency version and the image tag,
 * byte-exact, and pushes; a rejected push is re-applied on the new head. A version never moves backwards
 * unless it is a rollback.
 */
export async function promote(req: PromoteRequest): Promise<PromoteOutcome> {
  const { log, app, env, version } = req;
  const where = `${env} repo ${req.repo.url}`;
  let change: Change | undefined;
  const result = await updateRepo<Value>({
    ...req.repo,
    author: req.author,
    // The app's folder, where the env repo's layout puts it (its hat.yaml, read from the clone's root).
    paths: appFolder(app),
    where,
    log,
    privateHome: req.privateHome ?? false,
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.limits ? { limits: req.limits } : {}),
    ...(req.signingKey && !req.dryRun ? { signingKey: req.signingKey } : {}),
    ...(req.pushTo ? { pushTo: req.pushTo } : {}),
    ...(req.afterPush ? { afterPush: (commit: string) => req.afterPush!(commit, change!) } : {}),
    async edit(dir, attempt) {
      const { files, paths } = await readApp(dir, app, where);
      const state = envRepoContent(() => readAppState(files, paths));
      const current = state.dependency.version;
      // A deployed version that is not strict SemVer (hand-edited, a range) cannot be ordered: the new one wins.
      const order = parseSemver(current) ? compareSemver(version, current) : 1;
      if (!parseSemver(current)) log.warn(`${paths.chartPath}: deployed version ${JSON.stringify(current)} is not SemVer 2; replacing it`);
      const stop = (status: PromoteStatus, changed = false, diff = '') => ({ done: { status, previousVersion: current, changed, diff } });
      if (order === 0 && state.imageTag === version) {
        log.info(`${app} is already at ${version} in ${env}; nothing to do`);
        return stop('unchanged');
      }
      if (order < 0 && !req.rollback) {
        if (attempt === 1) throw new InputError(`version ${version} is lower than ${current} deployed in ${env}; pass rollback=true (--rollback) to roll back`);
        log.info(`a concurrent run already deployed ${app} ${current} to ${env}, newer than ${version}; nothing written`);
        return stop('superseded');
      }
      if (attempt === 1 && req.beforeCommit) await req.beforeCommit(state.dependency);
      const next = envRepoContent(() => applyDeploy(files, { ...paths, version }));
      const diff = [
        unifiedDiff(paths.chartPath, files.chart, next.chart),
        unifiedDiff(paths.valuesPath, files.values, next.values),
        files.lock !== undefined && next.lock !== undefined ? unifiedDiff(paths.lockPath, files.lock, next.lock) : '',
      ].join('');
      if (req.dryRun) {
        log.info(`dry run: would deploy ${app} ${current} → ${version} to ${env}:\n${diff}`);
        return stop('dry-run', true, diff);
      }
      await writeFile(path.join(dir, paths.chartPath), next.chart);
      await writeFile(path.join(dir, paths.valuesPath), next.values);
      if (next.lock !== undefined) await writeFile(path.join(dir, paths.lockPath), next.lock);
      const t = req.trailers ?? {};
      change = {
        subject: `deploy(${app}): ${current} → ${version} (${env})`,
        diff,
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
      };
      return {
        value: { status: 'deployed', previousVersion: current, changed: true, diff },
        commit: { subject: change.subject, paths: [path.posix.dirname(paths.chartPath)], trailers: change.trailers },
      };
    },
  });
  if (result.commit && !req.pushTo) log.info(`deployed ${app} ${result.value.previousVersion} → ${version} to ${env} (${result.commit.slice(0, 12)})`);
  return { ...result.value, commit: result.commit ?? '', head: result.head };
}

async function readApp(dir: string, app: string, where: string): Promise<{ files: AppFiles; paths: Required<AppPaths> }> {
  const found = await readAppFiles(dir, app);
  if (!found) throw new InputError(`${appDir(app, await readLayout(dir))}/ not found in ${where} (no Chart.yaml); scaffold it with: hat env add-app`);
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
