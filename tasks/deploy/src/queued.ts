// The in-cluster landing queue of one env repo's branch (@hat/lease-queue): a deploy in a pod files its params as a
// request; whoever holds the queue's Lease lands every request filed behind it in one push, one commit per app
// (push.ts: promoteMany), checking each as its own run would (require-upstream, the artifact checks). 32 deploys
// arriving at once are one clone and one push instead of 32 clones and a storm of rejected pushes. Outside a pod (the
// CLI, `hat task run`), or where the service account may not use Leases, deploys push themselves (promote).
// A run that only files and waits loads this and the queue, not the lander (run.ts loads push.ts when it lands).
import { createHash } from 'node:crypto';
import { HatError, InputError, parseParams, type TaskContext } from '@hat/task-runtime';
import { ForbiddenError, serviceAccountApi, submit, type Outcome } from '@hat/lease-queue';
import type { ParamsOf } from '@hat/task-spec';
import type { EnvRepoConfig } from './credentials.ts';
import type { PromoteOutcome } from './promote.ts';
import { deployTask, type Environment } from './task.ts';

type Params = ParamsOf<ReturnType<typeof deployTask>>;

/** The params that say what to deploy (the repo and credentials are the lander's own). */
const QUEUED = ['app', 'version', 'rollback', 'source-url', 'source-commit', 'pipeline-run', 'image-digest', 'chart-digest', 'image-repository', 'tls-verify'] as const;
export type QueuedParams = Pick<Params, (typeof QUEUED)[number]>;

/** Those params of a run; the commit's Hat-PipelineRun falls back to the TaskRun's name. */
export const queuedParams = (p: QueuedParams, taskRun: string | undefined): QueuedParams => ({
  ...(Object.fromEntries(QUEUED.map((k) => [k, p[k]])) as QueuedParams),
  'pipeline-run': p['pipeline-run'] ?? taskRun,
});

/** A request as filed: those params as the Task's strings, which the lander parses again with the Task's own schema. */
type RawRequest = Record<string, string>;

const raw = (p: QueuedParams): RawRequest => Object.fromEntries(QUEUED.flatMap((k) => (p[k] === undefined ? [] : [[k, String(p[k])]])));

/** A request read back: checked as the Task checks its params (anyone who may create Leases here can file one). */
function parsed(env: string, r: RawRequest): QueuedParams {
  const strings = Object.fromEntries(QUEUED.flatMap((k) => (typeof r[k] === 'string' ? [[k, r[k]]] : [])));
  return queuedParams(parseParams(deployTask(env as Environment), strings), undefined);
}

/** The lock lapses this long after a holder's last renewal (a holder that died blocks the env no longer). */
const LEASE_SECONDS = 15;
/** A request not landed by then is withdrawn (the lander's own git retries end well before). */
const QUEUE_WAIT_MS = 300_000;

/** One queue per namespace, env and repo branch: a DNS label. */
export const queueName = (env: string, repo: { url: string; branch: string }): string =>
  `hat-deploy-${env}-${createHash('sha256').update(`${repo.url}#${repo.branch}`).digest('hex').slice(0, 12)}`;

export interface QueuedOptions {
  readonly env: string;
  readonly repo: EnvRepoConfig;
  readonly params: QueuedParams;
  /** Lands a batch, each request as its params or the reason they were refused: one outcome each, in order. */
  land(batch: ReadonlyArray<QueuedParams | Error>): Promise<Array<Outcome<PromoteOutcome>>>;
  readonly ctx: TaskContext;
}

/** The outcome through the queue, or undefined when there is none to use (not in a pod, or not allowed). */
export async function promoteQueued(o: QueuedOptions): Promise<PromoteOutcome | undefined> {
  const api = serviceAccountApi(o.ctx.env);
  if (!api) return undefined;
  const queue = queueName(o.env, o.repo);
  try {
    const outcome = await submit<RawRequest, PromoteOutcome>({
      api,
      queue,
      holder: o.ctx.env['HAT_TASKRUN'] || 'deploy',
      request: raw(o.params),
      leaseSeconds: LEASE_SECONDS,
      waitMs: QUEUE_WAIT_MS,
      log: o.ctx.log,
      ...(o.ctx.signal ? { signal: o.ctx.signal } : {}),
      land: (batch) => o.land(batch.map((r) => {
        try {
          return parsed(o.env, r);
        } catch (err) {
          return err as Error;
        }
      })),
    });
    if ('ok' in outcome) return outcome.ok;
    throw outcome.exitCode === 2 ? new InputError(outcome.error) : new HatError(outcome.error);
  } catch (err) {
    if (!(err instanceof ForbiddenError)) throw err;
    o.ctx.log.warn(`${err.message}: deploying without the landing queue`);
    return undefined;
  } finally {
    api.close();
  }
}
