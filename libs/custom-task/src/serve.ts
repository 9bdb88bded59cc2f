// A custom task's controller loop: list and watch the CustomRuns of one namespace, take those that name our custom
// task and are not done, serve them in batches (one `serve` call per batch: for a deploy, one push), and complete
// each with its results or its error. Level-triggered: a controller that starts (or restarts after a crash) serves
// every run it finds not done, so serving a run twice must be harmless (a deploy of a version already there changes
// nothing). One replica per custom task; runs that arrive while a batch is served form the next batch.
import { setTimeout as sleep } from 'node:timers/promises';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, Watch, type KubeConfig } from '@kubernetes/client-node';
import { mask, oneLine, type Logger } from '@hat/task-runtime';
import { completion, GROUP, isCancelled, isDone, isFor, paramsOf, PLURAL, VERSION, type CustomRun, type CustomTaskRef, type RunOutcome } from './custom-run.ts';

/** Runs served per `serve` call. */
const BATCH = 64;
/** Attempts to complete a run (its status patch), on a 5xx, a conflict or a connection error. */
const PATCH_ATTEMPTS = 5;
/** A served run is ignored this long after it completed (its watch events still in flight say it is not done). */
const FORGET_MS = 600_000;

export interface ServeOptions {
  readonly config: KubeConfig;
  readonly namespace: string;
  readonly ref: CustomTaskRef;
  /**
   * Serves a batch, each run as its name and its params (or why they were refused): one outcome per run, in order.
   * An outcome may be a promise: its run completes when it settles, without holding up the next batch (e.g. a wait
   * for Argo CD).
   */
  serve(batch: ReadonlyArray<ServedRun>): Promise<ReadonlyArray<RunOutcome | Promise<RunOutcome>>>;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Called once, when the first list is in and the watch runs. */
  readonly onReady?: () => void;
}

export interface ServedRun {
  readonly name: string;
  readonly params: Record<string, string> | Error;
}

/** One line: an API error as its code and the API's own message (client-node's message carries the headers). */
const errorText = (err: unknown): string => {
  const { code, body } = err as { code?: unknown; body?: unknown };
  if (typeof code === 'number' && typeof body === 'string') {
    let message = body;
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // not JSON: the body as it is
    }
    return mask(oneLine(`${code}: ${message}`));
  }
  return mask(oneLine(err instanceof Error ? err.message : String(err)));
};
const codeOf = (err: unknown): number | undefined => (err as { code?: unknown }).code as number | undefined;

/** Serves until `signal` aborts; runs in flight complete first. */
export async function serveCustomRuns(o: ServeOptions): Promise<void> {
  const api = o.config.makeApiClient(CustomObjectsApi);
  const where = { group: GROUP, version: VERSION, namespace: o.namespace, plural: PLURAL };
  const pending = new Map<string, CustomRun>();
  /** uid → when it completed (0 while in flight). */
  const served = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  let wake: () => void = () => {};

  const consider = (run: CustomRun): void => {
    if (!isFor(run, o.ref) || isDone(run) || served.has(run.metadata.uid)) return;
    pending.set(run.metadata.uid, run);
    wake();
  };
  const forget = (run: CustomRun): void => {
    pending.delete(run.metadata.uid);
    if (served.get(run.metadata.uid)) served.delete(run.metadata.uid);
  };

  const complete = async (run: CustomRun, outcome: RunOutcome, reason?: string): Promise<void> => {
    if (o.signal.aborted && 'error' in outcome && !reason) {
      // Stopped while serving it (a rollout, a node drain): the next controller serves it again, it does not fail.
      o.log.info(`CustomRun ${run.metadata.name}: left for the next controller (stopped while serving it)`);
      return;
    }
    // Secrets registered with the runtime never reach a run's status (nor the log).
    const body = completion(run, 'error' in outcome ? { error: errorText(outcome.error) } : outcome, reason);
    for (let attempt = 1; ; attempt++) {
      try {
        await api.patchNamespacedCustomObjectStatus({ ...where, name: run.metadata.name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
        break;
      } catch (err) {
        const code = codeOf(err);
        if (code === 404) break; // deleted meanwhile: nobody waits for it
        if (attempt >= PATCH_ATTEMPTS || (code !== undefined && code < 500 && code !== 409 && code !== 429)) {
          o.log.warn(`CustomRun ${run.metadata.name}: cannot write its status after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${errorText(err)}`);
          break;
        }
        await sleep(200 * 2 ** attempt);
      }
    }
    served.set(run.metadata.uid, Date.now());
    o.log.info(`CustomRun ${run.metadata.name}: ${'results' in outcome ? 'succeeded' : `failed: ${outcome.error}`}`);
  };

  const watching = watchRuns(o, api, where, consider, forget);
  o.signal.addEventListener('abort', () => wake(), { once: true });
  while (!o.signal.aborted) {
    if (pending.size === 0) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    const batch = [...pending.values()].slice(0, BATCH);
    for (const run of batch) {
      pending.delete(run.metadata.uid);
      served.set(run.metadata.uid, 0);
    }
    const cancelled = batch.filter(isCancelled);
    const live = batch.filter((run) => !isCancelled(run));
    for (const run of cancelled) track(inFlight, complete(run, { error: run.spec?.statusMessage || 'cancelled before it was served' }, 'CustomRunCancelled'));
    if (live.length) {
      const outcomes = await o.log.time(`served ${live.length} CustomRun${live.length === 1 ? '' : 's'} in one batch`, () => o.serve(live.map((run) => ({ name: run.metadata.name, params: paramsOf(run) })))).catch((err: unknown) => live.map((): RunOutcome => ({ error: errorText(err) })));
      live.forEach((run, i) => {
        const outcome = Promise.resolve(outcomes[i] ?? { error: 'no outcome' }).catch((err: unknown): RunOutcome => ({ error: errorText(err) }));
        track(inFlight, outcome.then((out) => complete(run, out)));
      });
    }
    const old = Date.now() - FORGET_MS;
    for (const [uid, at] of served) if (at && at < old) served.delete(uid);
  }
  await Promise.all([watching, ...inFlight]);
}

function track(set: Set<Promise<void>>, p: Promise<void>): void {
  set.add(p);
  void p.finally(() => set.delete(p));
}

/** List, then watch from there; again after the watch ends (a relist when its resourceVersion is gone). */
async function watchRuns(o: ServeOptions, api: CustomObjectsApi, where: { group: string; version: string; namespace: string; plural: string }, consider: (run: CustomRun) => void, forget: (run: CustomRun) => void): Promise<void> {
  const watch = new Watch(o.config);
  const path = `/apis/${where.group}/${where.version}/namespaces/${where.namespace}/${where.plural}`;
  let resourceVersion: string | undefined;
  let failures = 0;
  let ready = false;
  let current: AbortController | undefined;
  o.signal.addEventListener('abort', () => current?.abort(), { once: true });
  while (!o.signal.aborted) {
    try {
      if (!resourceVersion) {
        const list = (await api.listNamespacedCustomObject(where)) as { items: CustomRun[]; metadata: { resourceVersion: string } };
        for (const run of list.items) consider(run);
        resourceVersion = list.metadata.resourceVersion;
      }
      await new Promise<void>((resolve, reject) => {
        watch
          .watch(
            path,
            { resourceVersion, allowWatchBookmarks: true },
            (type: string, obj: CustomRun & { code?: number; metadata: { resourceVersion?: string } }) => {
              if (type === 'ERROR') {
                if (obj.code === 410) resourceVersion = undefined; // too old: list again
                return;
              }
              resourceVersion = obj.metadata.resourceVersion ?? resourceVersion;
              if (type === 'DELETED') forget(obj);
              else if (type !== 'BOOKMARK') consider(obj);
            },
            (err: unknown) => (err && !o.signal.aborted ? reject(err) : resolve()),
          )
          .then((request) => {
            if (!ready) {
              ready = true;
              o.onReady?.();
            }
            current = request;
            if (o.signal.aborted) request.abort();
          }, reject);
      });
      failures = 0;
    } catch (err) {
      if (o.signal.aborted) break;
      failures++;
      const delay = Math.min(500 * 2 ** failures, 30_000);
      o.log.warn(`watching CustomRuns in ${where.namespace}: ${errorText(err)}; again in ${delay} ms`);
      if (codeOf(err) === 410) resourceVersion = undefined;
      await sleep(delay, undefined, { signal: o.signal }).catch(() => undefined);
    }
  }
}
