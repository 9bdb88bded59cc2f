import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HatError, InputError, type Logger } from '@hat/task-runtime';
import { updateRepo, type EditCommit, type GitAuth, type Identity, type KeptClone, type RepoLimits } from '@hat/git';
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
  /** Keep the clone for the next promoteMany into the same repo (the landing queue's holder, batch after batch). */
  readonly keep?: KeptClone;
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

/** What one request does to its app's files: stop with a value, or change them. */
type Step = { readonly value: Value; readonly next?: AppFiles; readonly change?: Change };

/**
 * Commits `version` of `app` into one env repo: sets the umbrella chart's dependency version and the image tag,
 * byte-exact, and pushes; a rejected push is re-applied on the new head. A version never moves backwards
 * unless it is a rollback.
 */
export async function promote(req: PromoteRequest): Promise<PromoteOutcome> {
  const [outcome] = await promoteMany([req], req);
  if (outcome instanceof Error) throw outcome;
  return outcome!;
}

/**
 * Promotes several requests into one env repo in one push (the landing queue's batch): one commit per app whose
 * version changes, in request order. Several requests of one app are applied in order and end in one commit, of the
 * last that changes it (the others are 'superseded' by it). A request that fails (a lower version without rollback,
 * no such app, a refused artifact) gets its error; the others still land. `shared` gives the repo, author, key and
 * limits (the lander's own).
 */
export async function promoteMany(reqs: readonly PromoteRequest[], shared: PromoteRequest): Promise<Array<PromoteOutcome | Error>> {
  const { log, env } = shared;
  const where = `${env} repo ${shared.repo.url}`;
  const apps = [...new Set(reqs.map((r) => r.app))];
  let changes: Change[] = [];
  const result = await updateRepo<Array<Value | Error>>({
    ...shared.repo,
    author: shared.author,
    // The apps' folders, where the env repo's layout puts them (its hat.yaml, read from the clone's root).
    paths: async (readRoot) => (await Promise.all(apps.map((app) => appFolder(app)(readRoot)))).flat(),
    where,
    log,
    privateHome: shared.privateHome ?? false,
    ...(shared.signal ? { signal: shared.signal } : {}),
    ...(shared.limits ? { limits: shared.limits } : {}),
    ...(shared.signingKey && !shared.dryRun ? { signingKey: shared.signingKey } : {}),
    ...(shared.pushTo ? { pushTo: shared.pushTo } : {}),
    ...(shared.keep ? { keep: shared.keep } : {}),
    ...(shared.afterPush ? { afterPush: (commit: string) => shared.afterPush!(commit, changes[0]!) } : {}),
    async edit(dir, attempt) {
      const values: Array<Value | Error> = [];
      changes = [];
      const commits: EditCommit[] = [];
      for (const app of apps) {
        const mine = reqs.flatMap((r, i) => (r.app === app ? [i] : []));
        let found: Awaited<ReturnType<typeof readApp>>;
        try {
          found = await readApp(dir, app, where);
        } catch (err) {
          for (const i of mine) values[i] = err as Error;
          continue;
        }
        const { files, paths } = found;
        // In order, each on the files the ones before it left; the last that changes them is committed, as if alone.
        let now = files;
        let last: number | undefined;
        let lastStep: Step | undefined;
        let changers = 0;
        for (const i of mine) {
          try {
            const step = await decide(reqs[i]!, now, paths, attempt);
            values[i] = step.value;
            if (step.next) [now, last, lastStep, changers] = [step.next, i, step, changers + 1];
          } catch (err) {
            values[i] = err as Error;
          }
        }
        if (last === undefined) continue;
        // The one that is committed, again on the files as they are in the repo (its diff and previous version).
        const step = changers === 1 ? lastStep! : await decide(reqs[last]!, files, paths, attempt, false).catch((err: unknown) => err as Error);
        if (step instanceof Error || !step.next || !step.change) {
          values[last] = step instanceof Error ? step : step.value;
          continue;
        }
        for (const i of mine) {
          const v = values[i]!;
          if (i !== last && !(v instanceof Error) && v.changed) values[i] = { ...v, status: 'superseded', changed: false, diff: '' };
        }
        values[last] = step.value;
        if (reqs[last]!.dryRun) continue;
        await writeFile(path.join(dir, paths.chartPath), step.next.chart);
        await writeFile(path.join(dir, paths.valuesPath), step.next.values);
        if (step.next.lock !== undefined) await writeFile(path.join(dir, paths.lockPath), step.next.lock);
        changes.push(step.change);
        commits.push({ subject: step.change.subject, paths: [path.posix.dirname(paths.chartPath)], trailers: step.change.trailers });
      }
      return commits.length ? { commits, value: values } : { done: values };
    },
  });
  // Each request's commit: its app's, when it was the one committed.
  const commitOf = new Map(changes.map((c, i) => [c.trailers.find(([k]) => k === 'Hat-App')?.[1], result.commits[i]]));
  return result.value.map((v, i) => {
    if (v instanceof Error) return v;
    const req = reqs[i]!;
    const commit = v.status === 'deployed' ? (commitOf.get(req.app) ?? '') : '';
    if (commit && !shared.pushTo) log.info(`deployed ${req.app} ${v.previousVersion} → ${req.version} to ${env} (${commit.slice(0, 12)})`);
    return { ...v, commit, head: result.head };
  });
}

/** One request on its app's files as they are now: no change, a refusal (thrown), or the next files and the commit. */
async function decide(req: PromoteRequest, files: AppFiles, paths: Required<AppPaths>, attempt: number, check = true): Promise<Step> {
  const { log, app, env, version } = req;
  const state = envRepoContent(() => readAppState(files, paths));
  const current = state.dependency.version;
  // A deployed version that is not strict SemVer (hand-edited, a range) cannot be ordered: the new one wins.
  const order = parseSemver(current) ? compareSemver(version, current) : 1;
  if (!parseSemver(current) && check) log.warn(`${paths.chartPath}: deployed version ${JSON.stringify(current)} is not SemVer 2; replacing it`);
  const stop = (status: PromoteStatus, changed = false, diff = ''): Step => ({ value: { status, previousVersion: current, changed, diff } });
  if (order === 0 && state.imageTag === version) {
    if (check) log.info(`${app} is already at ${version} in ${env}; nothing to do`);
    return stop('unchanged');
  }
  if (order < 0 && !req.rollback) {
    if (attempt === 1) throw new InputError(`version ${version} is lower than ${current} deployed in ${env}; pass rollback=true (--rollback) to roll back`);
    if (check) log.info(`a concurrent run already deployed ${app} ${current} to ${env}, newer than ${version}; nothing written`);
    return stop('superseded');
  }
  if (attempt === 1 && check && req.beforeCommit) await req.beforeCommit(state.dependency);
  const next = envRepoContent(() => applyDeploy(files, { ...paths, version }));
  const diff = [
    unifiedDiff(paths.chartPath, files.chart, next.chart),
    unifiedDiff(paths.valuesPath, files.values, next.values),
    files.lock !== undefined && next.lock !== undefined ? unifiedDiff(paths.lockPath, files.lock, next.lock) : '',
  ].join('');
  if (req.dryRun) {
    if (check) log.info(`dry run: would deploy ${app} ${current} → ${version} to ${env}:\n${diff}`);
    return { ...stop('dry-run', true, diff), next };
  }
  const t = req.trailers ?? {};
  const change: Change = {
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
  return { value: { status: 'deployed', previousVersion: current, changed: true, diff }, next, change };
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
