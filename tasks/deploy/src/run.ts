import { InputError, type TaskContext } from '@hat/task-runtime';
import type { ParamsOf, ResultsOf } from '@hat/task-spec';
import { readEnvRepoConfig } from './credentials.ts';
import { promote, type PromoteOutcome, type PromoteRequest } from './promote.ts';
import { promoteQueued, queuedParams, type QueuedParams } from './queued.ts';
import { promoteByPullRequest, waitForMerge } from './pull-request.ts';
import { createForge, forgeRepoOf, type PullRequest } from '@hat/forge';
import { checkUpstream } from './upstream.ts';
import { artifactCheck } from './artifact-hook.ts';
// Not '@hat/argocd': that would load @kubernetes/client-node on every start (cluster-wait.ts loads it when needed).
import { durationMs } from '@hat/argocd/duration';
import { ENVIRONMENTS, type deployTask } from './task.ts';

type Def = ReturnType<typeof deployTask>;

/** Tekton's result budget is shared; the diff gets what the other results leave. */
const MAX_DIFF_BYTES = 3000;

export function shortenDiff(diff: string): string {
  if (Buffer.byteLength(diff) <= MAX_DIFF_BYTES) return diff;
  return `${Buffer.from(diff).subarray(0, MAX_DIFF_BYTES - 40).toString('utf8').replace(/[^\n]*$/, '')}… (diff shortened)\n`;
}

export async function run(params: ParamsOf<Def>, ctx: TaskContext): Promise<ResultsOf<Def>> {
  const env = ctx.env['HAT_ENV'] ?? '';
  if (!(ENVIRONMENTS as readonly string[]).includes(env)) throw new InputError(`HAT_ENV must be one of ${ENVIRONMENTS.join(', ')} (set by the Task, got ${JSON.stringify(env)})`);
  const repo = await readEnvRepoConfig(env, ctx.mountDir('gitops-config'), ctx.mountDir('gitops-credentials'));
  // The cluster to wait on is found before anything is pushed: without one the run fails with nothing written.
  const cluster = params['wait-for-sync'] && !params['dry-run'] ? (await import('./cluster-wait.ts')).taskKubeConfig('wait-for-sync') : undefined;
  // Pull-request mode: the forge settings are checked before the network is asked anything.
  const forge = repo.pullRequest
    ? createForge({ provider: repo.pullRequest.provider, repo: forgeRepoOf(repo.url, repo.pullRequest.apiUrl), token: repo.pullRequest.token, log: ctx.log, ...(ctx.signal ? { signal: ctx.signal } : {}) })
    : undefined;
  // Each request (this run's own, or one the landing queue hands this run to land) is checked and built the same way.
  const prepare = async (p: QueuedParams): Promise<PromoteRequest> => {
    if (repo.upstream) {
      const why = await checkUpstream({ env, app: p.app, version: p.version, sourceCommit: p['source-commit'], rollback: p.rollback, upstream: repo.upstream, own: repo, log: ctx.log, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      ctx.log.info(`require-upstream ${repo.upstream.env}: ${why}`);
    }
    return {
      env,
      app: p.app,
      version: p.version,
      rollback: p.rollback,
      dryRun: params['dry-run'],
      repo,
      author: repo.author,
      trailers: {
        source: p['source-url'],
        sourceCommit: p['source-commit'],
        pipelineRun: p['pipeline-run'],
        imageDigest: p['image-digest'],
        chartDigest: p['chart-digest'],
      },
      log: ctx.log,
      privateHome: true,
      signal: ctx.signal,
      ...(repo.signingKey ? { signingKey: repo.signingKey } : {}),
      ...artifactCheck(
        { version: p.version, imageRepository: p['image-repository'], imageDigest: p['image-digest'], chartDigest: p['chart-digest'] },
        { credential: repo.registryCredential, credentialSource: repo.registryCredentialSource, tlsVerify: p['tls-verify'], log: ctx.log, ...(ctx.signal ? { signal: ctx.signal } : {}) },
      ),
    };
  };
  const own = queuedParams(params, ctx.env['HAT_TASKRUN']);
  // In a pod whose service account may use the landing queue, a push-mode deploy goes through it (queued.ts).
  const queued = !forge && !params['dry-run'] ? await promoteQueued({ env, repo, params: own, prepare, ctx }) : undefined;
  let pullRequest: PullRequest | undefined;
  let outcome: PromoteOutcome = queued ?? (forge ? await promoteByPullRequest(await prepare(own), forge).then((o) => ((pullRequest = o.pullRequest), o)) : await promote(await prepare(own)));
  // Pull-request mode: the env runs the version once the pull request is merged (wait-for-sync waits for that too).
  if (forge && pullRequest && (params['wait-for-merge'] || cluster) && !params['dry-run']) {
    const merged = await waitForMerge(forge, pullRequest, { timeoutMs: durationMs(params['merge-timeout'])!, ...(ctx.signal ? { signal: ctx.signal } : {}) }, ctx.log);
    outcome = { ...outcome, head: merged };
  }
  if (cluster && outcome.head) {
    const { waitForDeploy } = await import('./cluster-wait.ts');
    await waitForDeploy({
      config: cluster,
      argocdNamespace: params['argocd-namespace'],
      env,
      app: params.app,
      head: outcome.head,
      repo,
      privateHome: true,
      timeoutMs: durationMs(params['sync-timeout'])!,
      log: ctx.log,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  }
  return {
    commit: outcome.commit,
    'previous-version': outcome.previousVersion,
    changed: String(outcome.changed),
    diff: shortenDiff(outcome.diff),
    'pull-request-url': pullRequest?.url ?? '',
    'pull-request-number': pullRequest ? String(pullRequest.number) : '',
  };
}
