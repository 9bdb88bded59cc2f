// What a deploy that pushes does: land a batch of queued requests (as the landing queue's holder), or push its own
// request (outside a pod, in pull-request mode, or where the queue is not allowed). It holds the git, Helm, registry
// and forge code, the bulk of the deploy program: run.ts loads it only when the run is to push, so the runs that file
// a request and wait for the holder to land it start without it (32 of them at once on a node of 2 cores).
import { HatError, mask } from '@hat/task-runtime';
import type { Outcome } from '@hat/lease-queue';
import { dropKeptClone, type KeptClone } from '@hat/git';
import { createForge, forgeRepoOf, type PullRequest } from '@hat/forge';
import { promote, promoteMany, type PromoteOutcome, type PromoteRequest } from './promote.ts';
import { promoteByPullRequest, waitForMerge } from './pull-request.ts';
import { prepareRequest, type PrepareOptions } from './prepare.ts';
import type { QueuedParams } from './queued.ts';

/** Written into a request's Lease for its run to read: masked like every log line. */
const failed = (err: unknown): Outcome<PromoteOutcome> => ({ error: mask(err instanceof Error ? err.message : String(err)), exitCode: err instanceof HatError ? err.exitCode : 1 });

export interface Lander {
  /** Lands a batch (each request parsed by the queue, or its parse error): each checked and built, then all in one push. */
  land(batch: ReadonlyArray<QueuedParams | Error>): Promise<Array<Outcome<PromoteOutcome>>>;
  /** Removes the clone kept between batches. */
  close(): Promise<void>;
}

/**
 * The landing queue's holder (and the deploy controller): batch after batch into its env repo, on one clone kept
 * between them (KeptClone: the next batch starts at the head the last one pushed, or at the branch's new tip).
 */
export function lander(o: PrepareOptions): Lander {
  const keep: KeptClone = {};
  return { land: (batch) => landBatch(batch, o, keep), close: () => dropKeptClone(keep) };
}

async function landBatch(batch: ReadonlyArray<QueuedParams | Error>, o: PrepareOptions, keep: KeptClone): Promise<Array<Outcome<PromoteOutcome>>> {
  // require-upstream reads each upstream repo's history once for the whole batch.
  const batchOptions = { ...o, histories: new Map() };
  const prepared = await Promise.all(batch.map(async (p) => (p instanceof Error ? p : prepareRequest(p, batchOptions).catch((err: unknown) => err as Error))));
  const ready = prepared.filter((r): r is PromoteRequest => !(r instanceof Error));
  // The lander's settings; no landing queue in git behind this one (the Lease already orders the pushes).
  const promoted = ready.length ? await promoteMany(ready, { ...ready[0]!, limits: { queueWaitMs: 0 }, keep }).catch((err: unknown) => ready.map(() => err as Error)) : [];
  let next = 0;
  return prepared.map((r) => {
    if (r instanceof Error) return failed(r);
    const done = promoted[next++]!;
    return done instanceof Error ? failed(done) : { ok: done };
  });
}

export interface PushOwnOptions extends PrepareOptions {
  /** Pull-request mode: wait for the pull request to be merged, at most this long (the merged head is the outcome's). */
  readonly mergeTimeoutMs?: number | undefined;
}

/** This run's own request pushed by itself: to the branch (promote), or as a pull request (the repo's forge). */
export async function pushOwn(p: QueuedParams, o: PushOwnOptions): Promise<{ outcome: PromoteOutcome; pullRequest?: PullRequest }> {
  const { repo, ctx } = o;
  if (!repo.pullRequest) return { outcome: await promote(await prepareRequest(p, o)) };
  // The forge settings are checked before the network is asked anything.
  const forge = createForge({ provider: repo.pullRequest.provider, repo: forgeRepoOf(repo.url, repo.pullRequest.apiUrl), token: repo.pullRequest.token, log: ctx.log, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  const { pullRequest, ...outcome } = await promoteByPullRequest(await prepareRequest(p, o), forge);
  // The env runs the version once the pull request is merged (wait-for-sync waits for that too).
  if (!pullRequest || o.mergeTimeoutMs === undefined || o.dryRun) return { outcome, ...(pullRequest ? { pullRequest } : {}) };
  const merged = await waitForMerge(forge, pullRequest, { timeoutMs: o.mergeTimeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) }, ctx.log);
  return { outcome: { ...outcome, head: merged }, pullRequest };
}
