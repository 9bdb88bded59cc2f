// deploy-<env> as a Tekton custom task: one long-running controller per env (the deploy image, HAT_SERVE=custom-runs,
// with the env's ConfigMap and Secret mounted as the Task mounts them) serves the CustomRuns that name it, so a
// promotion costs no pod: a Pipeline task with taskRef {apiVersion: hat.dev/v1alpha1, kind: Deploy, name:
// deploy-<env>} becomes a CustomRun, and the controller lands it with the runs that arrived with it, in one push, on
// the clone it keeps (push.ts: the landing queue holder's lander), then writes the Task's results into its status.
// Its params are the Task's, checked by the Task's schema; dry-run and pull-request mode stay with the Task.
import { HatError, InputError, parseParams, type TaskContext } from '@hat/task-runtime';
import type { ParamsOf } from '@hat/task-spec';
import { serveCustomRuns, type RunOutcome, type ServedRun } from '@hat/custom-task';
import { taskKubeConfig } from '@hat/argocd';
import { durationMs } from '@hat/argocd/duration';
import { readEnvRepoConfig } from './credentials.ts';
import { lander } from './push.ts';
import { queuedParams, type QueuedParams } from './queued.ts';
import { resultsOf } from './run.ts';
import { customTaskRef, deployTask, ENVIRONMENTS, type Environment } from './task.ts';
import { waitForDeploy } from './wait.ts';

type Params = ParamsOf<ReturnType<typeof deployTask>>;

/** A run's params by the Task's schema; what the controller does not do is refused by name. */
function checked(env: Environment, run: ServedRun): Params | Error {
  if (run.params instanceof Error) return new InputError(run.params.message);
  try {
    const p = parseParams(deployTask(env), run.params);
    if (p['dry-run']) return new InputError(`param dry-run: the deploy controller lands what it is given; for a dry run use the Task deploy-${env}`);
    return p;
  } catch (err) {
    return err as Error;
  }
}

/** Serves deploy-<env>'s CustomRuns in the controller's namespace until stopped. */
export async function serveDeploys(ctx: TaskContext): Promise<void> {
  const env = ctx.env['HAT_ENV'] ?? '';
  if (!(ENVIRONMENTS as readonly string[]).includes(env)) throw new InputError(`HAT_ENV must be one of ${ENVIRONMENTS.join(', ')} (got ${JSON.stringify(env)})`);
  const repo = await readEnvRepoConfig(env, ctx.mountDir('gitops-config'), ctx.mountDir('gitops-credentials'));
  if (repo.pullRequest) throw new HatError(`ConfigMap hat-gitops-${env} has mode: pull-request, and the deploy controller only pushes: deploy to ${env} with the Task deploy-${env}`);
  const config = taskKubeConfig('the deploy controller');
  const namespace = config.getContextObject(config.getCurrentContext())?.namespace || 'default';
  const holder = lander({ env, repo, dryRun: false, ctx });
  const ref = customTaskRef(env);
  try {
    await serveCustomRuns({
      config,
      namespace,
      ref,
      log: ctx.log,
      signal: ctx.signal,
      onReady: () => ctx.log.info(`serving the CustomRuns of ${ref.kind} ${ref.name} in ${namespace}: deploys into ${repo.url} (${repo.branch})`),
      serve: async (batch) => {
        const params = batch.map((run) => checked(env as Environment, run));
        const outcomes = await holder.land(params.map((p, i): QueuedParams | Error => (p instanceof Error ? p : queuedParams(p, batch[i]!.name))));
        return outcomes.map((out, i): RunOutcome | Promise<RunOutcome> => {
          if ('error' in out) return { error: out.error };
          const p = params[i] as Params;
          const results = resultsOf(out.ok);
          if (!p['wait-for-sync'] || !out.ok.head) return { results };
          // Waits on its own: the next batch lands meanwhile.
          return waitForDeploy({ config, argocdNamespace: p['argocd-namespace'], env, app: p.app, head: out.ok.head, repo, privateHome: true, timeoutMs: durationMs(p['sync-timeout'])!, log: ctx.log, signal: ctx.signal }).then(
            () => ({ results }),
            (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
          );
        });
      },
    });
  } finally {
    await holder.close();
  }
}
