// A queue of requests in front of one serial resource (an env repo's branch), kept in the Kubernetes API as Lease
// objects (coordination.k8s.io/v1) of one namespace:
//
//   <queue>            the lock: whoever holds it (spec.holderIdentity, renewed while it works) lands the queue
//   <queue>-<id>       a request: label hat.dev/queue=<queue>, its JSON in the annotation hat.dev/request; the lock's
//                      holder claims it (hat.dev/state: claimed), lands it and writes hat.dev/result
//
// A run files its request, then takes the lock if it is free, or watches its request until the holder writes the
// result. The holder lands every pending request in batches (one `land` call each: one clone, one push) until none
// is left, releases the lock, and looks once more: a request filed while it released is landed by it or by the run
// that filed it. A holder that dies stops renewing: after leaseSeconds the next run whose watch times out takes the
// lock, and re-lands what the dead one claimed (landing a request twice must be harmless: the deploy of a version
// already there changes nothing). Results are pruned by the next holder after a minute; a request waits at most
// waitMs, then its run withdraws it (unless a holder has claimed it: then it waits for the result).
import { randomBytes } from 'node:crypto';
import { HatError, mask, type Logger } from '@hat/task-runtime';
import type { ServiceAccountApi } from './service-account.ts';

const LABEL = 'hat.dev/queue';
const REQUEST = 'hat.dev/request';
const RESULT = 'hat.dev/result';
const STATE = 'hat.dev/state';
/** How long a result stays for its run to read. */
const RESULT_KEEP_MS = 60_000;
/** Requests landed per call of `land`. */
const BATCH = 64;

/** What landing a request gave: its value, or the one-line error and exit code its run fails with. */
export type Outcome<R> = { readonly ok: R } | { readonly error: string; readonly exitCode: number };

export interface SubmitOptions<Q, R> {
  readonly api: ServiceAccountApi;
  /** The queue's name: a DNS label of at most 40 characters, one per serial resource. */
  readonly queue: string;
  /** Who this run is (a TaskRun's name), for the lock's holderIdentity. */
  readonly holder: string;
  readonly request: Q;
  /** Lands a batch of requests (this run's own among them, or not): one outcome per request, in order. */
  land(batch: readonly Q[]): Promise<ReadonlyArray<Outcome<R>>>;
  /** The lock lapses this long after its holder's last renewal (renewed every third of it). */
  readonly leaseSeconds: number;
  /** How long this run waits for its request to be landed before it withdraws it. */
  readonly waitMs: number;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

interface LeaseObject {
  metadata: { name: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string };
}

/** An object as PUT and POST take it (a listed item lacks apiVersion and kind). */
const leaseBody = (o: LeaseObject): LeaseObject & { apiVersion: string; kind: string } => ({ ...o, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' });
const microTime = (ms = Date.now()): string => new Date(ms).toISOString().replace(/Z$/, '000Z');
const newId = (): string => `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

/** Files `request`, sees it landed (by this run or the lock's holder) and returns its outcome. */
export async function submit<Q, R>(opts: SubmitOptions<Q, R>): Promise<Outcome<R>> {
  const { api } = opts;
  const base = leasesPath(api);
  const holder = `${opts.holder}-${randomBytes(3).toString('hex')}`;
  const name = `${opts.queue}-${newId()}`;
  const created = await api.request<LeaseObject>('POST', base, leaseBody({ metadata: { name, labels: { [LABEL]: opts.queue }, annotations: { [REQUEST]: JSON.stringify(opts.request) } }, spec: { holderIdentity: opts.holder } }));
  if (created.status === 403) throw forbidden(api);
  if (created.status !== 201) throw new HatError(`filing a request in queue ${opts.queue}: the Kubernetes API answered ${created.status}`);
  let seen = created.body;
  const started = Date.now();
  const result = (o: LeaseObject): Outcome<R> | undefined => {
    const raw = o.metadata.annotations?.[RESULT];
    return raw ? (JSON.parse(raw) as Outcome<R>) : undefined;
  };
  /** This request as the server has it now: its outcome, if written. */
  const reread = async (): Promise<Outcome<R> | undefined> => {
    const now = await api.request<LeaseObject>('GET', `${base}/${name}`);
    if (now.status === 200) seen = now.body;
    return result(seen);
  };

  try {
    for (;;) {
      const lock = await takeLock(opts, holder);
      if ('held' in lock) {
        const mine = (await landAll(opts, holder, lock.held, name)) ?? (await reread());
        if (mine) return mine;
        continue;
      }
      // Someone else holds the lock: watch this request until its result, or until that lock can have lapsed.
      let got: Outcome<R> | undefined;
      const timeout = Math.max(1, Math.min(Math.ceil(lock.lapsesInMs / 1000) + 1, opts.leaseSeconds + 1));
      const watched = await api.watch<LeaseObject>(
        `${base}?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}&watch=true&resourceVersion=${seen.metadata.resourceVersion ?? ''}&timeoutSeconds=${timeout}`,
        (event) => {
          if (event.type === 'ERROR') return true;
          if (event.type === 'DELETED') throw new HatError(`queue ${opts.queue}: this run's request ${name} was deleted before it landed; nothing written by it`);
          seen = event.object;
          got = result(event.object);
          return got !== undefined;
        },
        opts.signal,
      );
      if (got) return got;
      if (watched) {
        // An ERROR event (the resourceVersion too old): read it afresh.
        const now = await reread();
        if (now) return now;
      } else if (Date.now() - started > opts.waitMs) {
        if ((await remove(api, seen)).status === 200) throw new HatError(`queue ${opts.queue}: not landed within ${Math.round(opts.waitMs / 1000)} s (the env repo unreachable or too busy?); withdrawn, nothing written by this run`);
        // Claimed (or landed) meanwhile: its result is coming.
        const now = await reread();
        if (now) return now;
      }
    }
  } catch (err) {
    // Leaving without an outcome (cancelled, or the API gone): take the request back unless a holder claimed it.
    await remove(api, seen).catch(() => undefined);
    throw err;
  }
}

/** Denied by RBAC: the caller goes without the queue. */
export class ForbiddenError extends HatError {}

const forbidden = (api: ServiceAccountApi) => new ForbiddenError(`the service account may not create Leases in namespace ${api.namespace} (the pipeline chart grants it)`);

const leasesPath = (api: ServiceAccountApi): string => `/apis/coordination.k8s.io/v1/namespaces/${api.namespace}/leases`;

/** Replaces a Lease, only if it is still as it was read (its resourceVersion). */
const replace = (api: ServiceAccountApi, o: LeaseObject) => api.request<LeaseObject>('PUT', `${leasesPath(api)}/${o.metadata.name}`, leaseBody(o));

/** Deletes a Lease only as it was seen (a claim or a result since then keeps it). */
const remove = (api: ServiceAccountApi, o: LeaseObject) => api.request('DELETE', `${leasesPath(api)}/${o.metadata.name}`, { preconditions: { resourceVersion: o.metadata.resourceVersion } });

/** The queue's requests, in the order they were filed. */
async function listQueue(api: ServiceAccountApi, queue: string): Promise<LeaseObject[]> {
  const listed = await api.request<{ items: LeaseObject[] }>('GET', `${leasesPath(api)}?labelSelector=${encodeURIComponent(`${LABEL}=${queue}`)}`);
  if (listed.status !== 200) throw new HatError(`listing queue ${queue}: the Kubernetes API answered ${listed.status}`);
  return listed.body.items.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

/** Takes the lock when it is free or lapsed: the lock as held, or how soon another holder's lock can lapse. */
async function takeLock<Q, R>(opts: SubmitOptions<Q, R>, holder: string): Promise<{ held: LeaseObject } | { lapsesInMs: number }> {
  const { api } = opts;
  const base = leasesPath(api);
  const spec = { holderIdentity: holder, leaseDurationSeconds: opts.leaseSeconds, acquireTime: microTime(), renewTime: microTime() };
  const busy = { lapsesInMs: opts.leaseSeconds * 1000 };
  const got = await api.request<LeaseObject>('GET', `${base}/${opts.queue}`);
  if (got.status === 404) {
    const made = await api.request<LeaseObject>('POST', base, leaseBody({ metadata: { name: opts.queue }, spec }));
    if (made.status === 403) throw forbidden(api);
    return made.status === 201 ? { held: made.body } : busy;
  }
  if (got.status !== 200) throw new HatError(`reading the lock of queue ${opts.queue}: the Kubernetes API answered ${got.status}`);
  const s = got.body.spec ?? {};
  const lapsesInMs = s.holderIdentity && s.renewTime ? Date.parse(s.renewTime) + (s.leaseDurationSeconds ?? 0) * 1000 - Date.now() : 0;
  if (lapsesInMs > 0) return { lapsesInMs };
  const put = await replace(api, { ...got.body, spec });
  return put.status === 200 ? { held: put.body } : busy;
}

/**
 * Holding the lock: lands pending requests in batches until none is left, then releases it. Returns this run's own
 * outcome if it was landed here.
 */
async function landAll<Q, R>(opts: SubmitOptions<Q, R>, holder: string, taken: LeaseObject, mine: string): Promise<Outcome<R> | undefined> {
  const { api, log } = opts;
  let lock = taken;
  let own: Outcome<R> | undefined;
  let lost = false;
  // Renewed every third of its duration while landing; a renewal that fails means another run took it (this one was
  // too slow): the batch being landed still finishes (its pushes are safe anyway), then this run stops landing.
  let renewing = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(async () => {
      const put = await replace(api, { ...lock, spec: { ...lock.spec, renewTime: microTime() } }).catch(() => undefined);
      if (put?.status === 200) lock = put.body;
      else lost = true;
    });
  }, (opts.leaseSeconds * 1000) / 3);
  try {
    for (;;) {
      const items = await listQueue(api, opts.queue);
      // Results read by now (or whose run is gone): pruned.
      const stale = items.filter((o) => o.metadata.annotations?.[RESULT] && Date.now() - Date.parse(o.metadata.annotations[`${STATE}-at`] ?? '') > RESULT_KEEP_MS);
      await Promise.all(stale.map((o) => remove(api, o)));
      const pending = items.filter((o) => !o.metadata.annotations?.[RESULT]).slice(0, BATCH);
      if (pending.length === 0 || lost) break;
      // Claimed each (a run withdrawing its request at the same time either wins, and it is skipped, or loses).
      const claims = await Promise.all(
        pending.map((o) => replace(api, { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [STATE]: `claimed by ${holder}` } } })),
      );
      const claimed = claims.filter((put) => put.status === 200).map((put) => put.body);
      if (claimed.length === 0) continue;
      const t = performance.now();
      const outcomes = await opts.land(claimed.map((o) => JSON.parse(o.metadata.annotations![REQUEST]!) as Q)).catch((err: unknown) =>
        claimed.map(() => ({ error: mask(err instanceof Error ? err.message : String(err)), exitCode: err instanceof HatError ? err.exitCode : 1 })),
      );
      log.info(`queue ${opts.queue}: landed ${claimed.length} request${claimed.length === 1 ? '' : 's'} in one push (${Math.round(performance.now() - t)} ms)`);
      await Promise.all(
        claimed.map((o, i) => {
          const outcome = outcomes[i] ?? { error: 'no outcome', exitCode: 1 };
          if (o.metadata.name === mine) own = outcome;
          const annotations = { ...o.metadata.annotations, [RESULT]: JSON.stringify(outcome), [`${STATE}-at`]: new Date().toISOString() };
          return replace(api, { ...o, metadata: { ...o.metadata, annotations } });
        }),
      );
    }
  } finally {
    clearInterval(timer);
    await renewing;
    if (!lost) await replace(api, { ...lock, spec: { ...lock.spec, holderIdentity: '', renewTime: microTime() } }).catch(() => undefined);
  }
  // A request filed while the lock was being released: its run may have found it still held and be watching.
  if ((await listQueue(api, opts.queue)).some((o) => !o.metadata.annotations?.[RESULT] && o.metadata.name !== mine)) {
    const again = await takeLock(opts, holder);
    if ('held' in again) return (await landAll(opts, holder, again.held, mine)) ?? own;
  }
  return own;
}
