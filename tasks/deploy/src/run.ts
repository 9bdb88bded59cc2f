import { InputError, type TaskContext } from '@hat/task-runtime';
import type { ParamsOf, ResultsOf } from '@hat/task-spec';
import { readEnvRepoConfig } from './credentials.ts';
import { promoteQueued, queuedParams } from './queued.ts';
import type { PromoteOutcome } from './promote.ts';
import type { PullRequest } from '@hat/forge';
import type { Lander } from './push.ts';
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
  const own = queuedParams(params, ctx.env['HAT_TASKRUN']);
  const prepare = { env, repo, dryRun: params['dry-run'], ctx };
  // The git, Helm and forge code (push.ts), loaded only if this run pushes: as the landing queue's holder, or alone.
  const pushing = () => import('./push.ts');
  // In a pod whose service account may use the landing queue, a push-mode deploy goes through it (queued.ts).
  let holding: Lander | undefined;
  const queued =
    !repo.pullRequest && !params['dry-run']
      ? await promoteQueued({ env, repo, params: own, ctx, land: async (batch) => (holding ??= (await pushing()).lander(prepare)).land(batch) }).finally(() => holding?.close())
      : undefined;
  let outcome: PromoteOutcome;
  let pullRequest: PullRequest | undefined;
  if (queued) outcome = queued;
  else {
    // Pull-request mode: the env runs the version once the pull request is merged (wait-for-sync waits for that too).
    const mergeTimeoutMs = params['wait-for-merge'] || cluster ? durationMs(params['merge-timeout'])! : undefined;
    ({ outcome, pullRequest } = await (await pushing()).pushOwn(own, { ...prepare, mergeTimeoutMs }));
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
  return resultsOf(outcome, pullRequest);
}

/** A deploy's results, from its outcome (and its pull request, in pull-request mode). */
export function resultsOf(outcome: PromoteOutcome, pullRequest?: PullRequest): ResultsOf<Def> {
  return {
    commit: outcome.commit,
    'previous-version': outcome.previousVersion,
    changed: String(outcome.changed),
    diff: shortenDiff(outcome.diff),
    'pull-request-url': pullRequest?.url ?? '',
    'pull-request-number': pullRequest ? String(pullRequest.number) : '',
  };
}
