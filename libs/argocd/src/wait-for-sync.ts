// After a deploy commit lands: wait until Argo CD runs it. Every Application of the app in the env (labels
// hat.dev/env and hat.dev/app) must be Synced to that commit, or to a later one that has it in its history
// (another deploy landed on top), and Healthy. Read-only: it lists Applications, nothing else.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { HatError, type Logger } from '@hat/task-runtime';
import { APP_LABEL, applicationMessage, applicationReady, applicationState, ENV_LABEL, listApplications, type Application } from './application.ts';

export interface SyncWaitRequest {
  readonly api: CustomObjectsApi;
  /** Argo CD's namespace, where the Applications are. */
  readonly namespace: string;
  readonly env: string;
  readonly app: string;
  /** The env repo commit that must run (the deploy's commit, or the head it found already at the version). */
  readonly commit: string;
  /** Whether an Application's synced revision has `commit` in its history (git; asked only when they differ). */
  readonly contains: (revision: string) => Promise<boolean>;
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

export interface SyncedApplication {
  readonly name: string;
  readonly revision: string;
  readonly images: readonly string[];
}

const short = (sha: string | undefined): string => (sha ? sha.slice(0, 12) : 'no revision');
const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;
/** e.g. `Synced/Healthy at 1a2b3c4d5e6f`. */
const stateAt = (a: Application): string => `${applicationState(a.status ?? {})} at ${short(a.status?.sync?.revision)}`;

/** The Kubernetes API's refusals that waiting cannot fix. */
function fatal(err: unknown, req: SyncWaitRequest): HatError | undefined {
  const code = (err as { code?: number }).code;
  if (code === 403) {
    return new HatError(
      `cannot read Argo CD Applications in namespace ${req.namespace} (403 Forbidden): the run's service account needs get and list on applications.argoproj.io there; the pipeline chart grants it to environments with waitForSync: true, in argocd.namespace`,
    );
  }
  if (code === 404) return new HatError(`no Argo CD Application resource in this cluster (applications.argoproj.io, namespace ${req.namespace}): wait-for-sync needs Argo CD`);
  return undefined;
}

/**
 * Waits (bounded) until every Application of `app` in `env` is Synced to `commit` (or a later revision holding it)
 * and Healthy. Fails after `timeoutMs` with each Application's state and its own message, or at once when the
 * cluster refuses to show them.
 */
export async function waitForSync(req: SyncWaitRequest): Promise<SyncedApplication[]> {
  const { log, namespace } = req;
  const selector = `${ENV_LABEL}=${req.env},${APP_LABEL}=${req.app}`;
  const deadline = Date.now() + req.timeoutMs;
  const holds = new Map<string, boolean>();
  const seen = new Map<string, string>();
  let apps: Application[] = [];
  let lastError = '';
  const contains = async (revision: string): Promise<boolean> => {
    if (revision === req.commit) return true;
    const known = holds.get(revision);
    if (known !== undefined) return known;
    const has = await req.contains(revision);
    holds.set(revision, has);
    return has;
  };
  const done = async (a: Application): Promise<boolean> => {
    const s = a.status ?? {};
    return applicationReady(s) && s.sync?.revision !== undefined && (await contains(s.sync.revision));
  };
  log.info(`waiting for Argo CD to run ${short(req.commit)} (Applications ${selector} in ${namespace}, up to ${seconds(req.timeoutMs)})`);
  for (;;) {
    try {
      apps = await listApplications(req.api, namespace, selector);
      lastError = '';
      const states = await Promise.all(apps.map(async (a) => ({ a, done: await done(a) })));
      for (const { a } of states) {
        const state = stateAt(a);
        if (seen.get(a.metadata.name) !== state) log.info(`Argo CD Application ${namespace}/${a.metadata.name}: ${state}`);
        seen.set(a.metadata.name, state);
      }
      if (states.length > 0 && states.every((x) => x.done)) {
        log.info(`Argo CD runs ${short(req.commit)}: ${apps.map((a) => a.metadata.name).join(', ')} Synced and Healthy`);
        return apps.map((a) => ({ name: a.metadata.name, revision: a.status!.sync!.revision!, images: a.status?.summary?.images ?? [] }));
      }
    } catch (err) {
      const refused = fatal(err, req);
      if (refused) throw refused;
      lastError = (err as Error).message.split('\n')[0] ?? String(err);
    }
    if (Date.now() > deadline) throw timedOut(req, apps, lastError, holds);
    await sleep(req.pollMs ?? 2_000, undefined, req.signal ? { signal: req.signal } : {});
  }
}

function timedOut(req: SyncWaitRequest, apps: readonly Application[], lastError: string, holds: ReadonlyMap<string, boolean>): HatError {
  const within = seconds(req.timeoutMs);
  if (lastError) return new HatError(`could not read Argo CD Applications in ${req.namespace} within ${within}: ${lastError}`);
  if (apps.length === 0) {
    return new HatError(
      `no Argo CD Application for app ${req.app} in env ${req.env} in namespace ${req.namespace} (labels ${ENV_LABEL}=${req.env}, ${APP_LABEL}=${req.app}) within ${within}: let Argo CD follow the env repo (hat install --env-sync ${req.env}=FILE)`,
    );
  }
  const states = apps.map((a) => {
    const why = applicationMessage(a.status ?? {});
    return `${a.metadata.name} is ${stateAt(a)}${why ? ` (${why})` : ''}`;
  });
  // Synced, but to a revision without the commit: Argo CD has not looked at git since the push.
  const stale = apps.some((a) => holds.get(a.status?.sync?.revision ?? '') === false);
  const hint = stale ? `; it has not picked up the commit yet (Argo CD polls git every 2–3 minutes unless a webhook from the git server reaches it)` : '';
  return new HatError(`Argo CD did not run ${req.env}'s commit ${short(req.commit)} of ${req.app} within ${within}: ${states.join('; ')}${hint}`);
}
