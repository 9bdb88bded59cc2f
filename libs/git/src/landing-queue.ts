import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, HatError, type Logger } from '@hat/task-runtime';
import { PushRefusedError } from './classify.ts';
import { identityEnv } from './commit.ts';
import { git } from './git.ts';

// A landing queue in the repo itself, for pushes that lose a race. Under contention, optimistic retries cost
// O(N²): every loser fetches, re-applies and pushes again, and only one of them wins each round. Instead, a loser
// pushes its change as a request ref, and whoever lands next lands every request queued behind it in one atomic
// push. A request carries only the folders it changed and what they were on its base; it is landed when those
// folders are still the same on the branch's head (each run edits its own app's folder), and otherwise handed back
// to its owner to re-apply. Nothing but git and the repo's own credentials: no lock, nothing to release.
//
//   refs/hat/queue/<branch>/<id>    a request: a parentless commit holding the changed folders; its message is a
//                                   header (base, paths, author, committer) and the commit's own message
//   refs/hat/landed/<branch>/<id>   the commit a request became (set by the run that landed it; pruned after a minute)
//
// One push lands them all: the branch (leased at the head the lander saw), each request ref deleted (leased at its
// request) and its landed ref created (only if absent). Any change in between fails the whole push, which is retried.

const QUEUE = 'refs/hat/queue';
const LANDED = 'refs/hat/landed';
const HEADER = 'hat-landing-request 1';
/** Landed refs are kept this long for their owners to read. */
const LANDED_KEEP_MS = 60_000;
/** How long the queue's head may stay first before the next in line lands in its place (times the place). */
const TAKEOVER_MS = 1500;
/** The first wait of a run behind the head (doubled after each look, up to twice this). */
const POLL_BEHIND_MS = 1000;

export interface QueueOptions {
  readonly dir: string;
  readonly branch: string;
  readonly env: Record<string, string>;
  readonly log: Logger;
  readonly where: string;
  readonly signal?: AbortSignal;
  /** The commit whose push was rejected (HEAD, one commit on the head it was cloned at). */
  readonly commit: string;
  /** The folders it changed (a request lands when they are unchanged on the branch since its base). */
  readonly paths: readonly string[];
  /** How long this run waits for its request to land before it withdraws it (the caller then re-applies it). */
  readonly waitMs: number;
  /** Requests older than this are never landed (their owner gave up or died) and are pruned. */
  readonly maxAgeMs: number;
  /** Bounded retries for a step that talks to the server. */
  readonly reachable: <R>(what: string, fn: () => Promise<R>) => Promise<R>;
}

/**
 * Landed as this commit; handed back to re-apply on the new head, because the paths changed on the branch since the
 * commit's base ('stale') or it waited `waitMs` ('waited'); or not queued, because the server refuses the queue's
 * refs (a forge's hook; its words).
 */
export type QueueOutcome = { readonly landed: string } | { readonly retry: 'stale' | 'waited' } | { readonly refused: string };

interface Request {
  readonly id: string;
  readonly ref: string;
  readonly sha: string;
}

const newId = (): string => `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
const idTime = (id: string): number => parseInt(id.split('-')[0] ?? '', 36);
const random = (lo: number, hi: number): number => lo + Math.random() * (hi - lo);

/** Queues the rejected commit and waits until a run (this one or another) lands it, or hands it back as stale. */
export async function landThroughQueue(opts: QueueOptions): Promise<QueueOutcome> {
  const started = Date.now();
  let mine: Request;
  try {
    mine = await enqueue(opts);
  } catch (err) {
    if (err instanceof PushRefusedError) return { refused: err.reason };
    throw err;
  }
  opts.log.info(`push rejected (the branch moved); queued the commit as ${mine.id} for the next push to land with its own`);
  try {
    return await waitForLanding(opts, mine, started);
  } catch (err) {
    // Leaving: take the request back, or say that it may still land (the server went away meanwhile).
    const withdrawn = await withdraw(opts, mine).catch(() => false);
    if (withdrawn || !(err instanceof Error)) throw err;
    throw new HatError(`${err.message} (its queued commit ${mine.id} may still land within ${Math.round(opts.maxAgeMs / 1000)} s: check the branch before running again)`);
  }
}

async function waitForLanding(opts: QueueOptions, mine: Request, started: number): Promise<QueueOutcome> {
  const { log, branch } = opts;
  let oldest = { id: '', since: 0 };
  // Each look at the queue costs an ls-remote (about 25 ms of CPU, client and server): the head's owner looks often,
  // the runs behind it (landed together when it lands) less.
  let place = 0;
  for (let wake = 0; ; wake++) {
    const [first, cap] = place === 0 ? [100, 1000] : [POLL_BEHIND_MS, 2 * POLL_BEHIND_MS];
    await sleep(Math.round(wake === 0 ? random(0, 100) : Math.min(first * 2 ** (wake - 1), cap) * random(0.5, 1.5)), undefined, opts.signal ? { signal: opts.signal } : {});
    const refs = await opts.reachable('queue', () => listQueue(opts));
    const landed = refs.get(`${LANDED}/${branch}/${mine.id}`);
    if (landed) {
      log.info(`landed by another run as ${landed.slice(0, 12)} (queued ${Date.now() - started} ms)`);
      return { landed };
    }
    if (!refs.has(mine.ref)) throw new HatError(`${opts.where}: queued commit ${mine.id} was removed from the queue before it landed; nothing written`);
    if (Date.now() - started > opts.waitMs) {
      if (await withdraw(opts, mine)) return { retry: 'waited' };
      continue;
    }
    // The oldest live request's owner lands. When the oldest stays first (its owner slow or gone), the next in line
    // takes over after 1.5 s, the one after it after 3 s, …: one run lands at a time, and nobody waits on a dead one.
    const live = [...refs.keys()]
      .filter((r) => r.startsWith(`${QUEUE}/${branch}/`))
      .map((r) => r.slice(`${QUEUE}/${branch}/`.length))
      .filter((id) => Date.now() - idTime(id) < opts.maxAgeMs)
      .sort();
    const head = live[0] ?? '';
    if (head !== oldest.id) oldest = { id: head, since: Date.now() };
    place = Math.max(0, live.indexOf(mine.id));
    if (Date.now() - oldest.since < place * TAKEOVER_MS) continue;
    try {
      const outcome = await opts.reachable('landing', () => landQueued(opts, mine, refs));
      if (outcome === 'stale') {
        if (await withdraw(opts, mine)) return { retry: 'stale' };
      } else if (outcome) {
        return { landed: outcome };
      }
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}

/** Pushes the change (the commit's folders, on no parent) as a request ref. */
async function enqueue(opts: QueueOptions): Promise<Request> {
  const { dir, env, commit } = opts;
  const raw = (await git(['cat-file', 'commit', commit], { cwd: dir, env })).stdout;
  const split = raw.indexOf('\n\n');
  const headers = raw.slice(0, split).split('\n');
  const header = (key: string) => headers.find((l) => l.startsWith(`${key} `)) ?? '';
  const base = header('parent').slice('parent '.length);
  if (!base) throw new HatError(`${opts.where}: a first commit cannot be queued`);
  const entries = await treeEntries(dir, env, opts.paths.flatMap((p) => [`${base}:${p}`, `${commit}:${p}`]));
  const index = path.join(dir, '.git', 'hat-request.index');
  await rm(index, { force: true });
  const indexEnv = { ...env, GIT_INDEX_FILE: index };
  for (const [i, p] of opts.paths.entries()) {
    const now = entries[i * 2 + 1];
    if (now) await git(['read-tree', `--prefix=${p}/`, now], { cwd: dir, env: indexEnv });
  }
  const tree = (await git(['write-tree'], { cwd: dir, env: indexEnv })).stdout.trim();
  const message = [HEADER, `base ${base}`, ...opts.paths.map((p, i) => `path ${entries[i * 2] ?? '-'} ${p}`), header('author'), header('committer'), '', raw.slice(split + 2)].join('\n');
  const sha = (await git(['commit-tree', tree, '-F', '-'], { cwd: dir, env: { ...env, ...identityEnv({ name: 'hat', email: 'hat@localhost' }) }, input: message })).stdout.trim();
  const id = newId();
  const ref = `${QUEUE}/${opts.branch}/${id}`;
  await opts.reachable('queue', () => git(['push', '--quiet', 'origin', `${sha}:${ref}`], { cwd: dir, env, what: 'queue', ...(opts.signal ? { signal: opts.signal } : {}) }));
  return { id, ref, sha };
}

/** The branch's head, the queue and the landed refs, as the server has them now. */
async function listQueue(opts: QueueOptions): Promise<Map<string, string>> {
  const out = await git(['ls-remote', 'origin', `refs/heads/${opts.branch}`, `${QUEUE}/${opts.branch}/*`, `${LANDED}/${opts.branch}/*`], {
    cwd: opts.dir,
    env: opts.env,
    what: 'queue',
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return new Map(
    out.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [sha, ref] = l.split('\t');
        return [ref!, sha!] as const;
      }),
  );
}

/** Deletes this run's request if it is still queued; false when it is gone (landed meanwhile). */
async function withdraw(opts: QueueOptions, mine: Request): Promise<boolean> {
  return git(['push', '--quiet', `--force-with-lease=${mine.ref}:${mine.sha}`, 'origin', `:${mine.ref}`], { cwd: opts.dir, env: opts.env, what: 'queue' }).then(
    () => true,
    (err: unknown) => {
      if (err instanceof ConflictError) return false;
      throw err;
    },
  );
}

interface Parsed extends Request {
  readonly paths: ReadonlyArray<{ readonly path: string; readonly base: string | undefined }>;
  readonly author: string;
  readonly committer: string;
  readonly message: string;
}

/**
 * Fetches the head and the queue, commits every request whose folders are unchanged since its base on top of the
 * head (in queue order), and pushes it all at once. Returns this run's landed commit, 'stale' when its own request
 * cannot land, or undefined when it was not in the queue any more.
 */
async function landQueued(opts: QueueOptions, mine: Request, listed: ReadonlyMap<string, string>): Promise<string | 'stale' | undefined> {
  const { dir, env, branch, log } = opts;
  const t0 = performance.now();
  const signal = opts.signal ? { signal: opts.signal } : {};
  await git(['fetch', '--quiet', '--prune', '--depth', '1', '--filter=blob:none', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`, `+${QUEUE}/${branch}/*:refs/hat/q/*`], {
    cwd: dir,
    env,
    what: 'fetch',
    ...signal,
  });
  const local = (await git(['for-each-ref', '--format=%(refname) %(objectname)', `refs/remotes/origin/${branch}`, 'refs/hat/q/'], { cwd: dir, env })).stdout.split('\n').filter(Boolean);
  const tip = local.find((l) => l.startsWith(`refs/remotes/origin/${branch} `))?.split(' ')[1];
  if (!tip) throw new HatError(`${opts.where}: branch ${branch} not found`);
  const now = Date.now();
  const all = local
    .filter((l) => l.startsWith('refs/hat/q/'))
    .map((l) => {
      const [ref, sha] = l.split(' ');
      const id = ref!.slice('refs/hat/q/'.length);
      return { id, ref: `${QUEUE}/${branch}/${id}`, sha: sha! };
    })
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  if (!all.some((r) => r.id === mine.id)) return undefined;
  const live = all.filter((r) => now - idTime(r.id) < opts.maxAgeMs);
  const dead = all.filter((r) => now - idTime(r.id) >= opts.maxAgeMs);
  const requests = await parseRequests(dir, env, live);
  // Which folders each request may replace: the head's entries, moved along as requests land in order.
  const entries = await treeEntries(dir, env, requests.flatMap((r) => r.paths.flatMap((p) => [`${tip}:${p.path}`, `${r.sha}:${p.path}`])));
  const current = new Map<string, string | undefined>();
  let k = 0;
  const landing: Array<Parsed & { readonly set: ReadonlyArray<readonly [string, string | undefined]> }> = [];
  for (const r of requests) {
    const set: Array<readonly [string, string | undefined]> = [];
    let fits = true;
    for (const p of r.paths) {
      const [onTip, wanted] = [entries[k++], entries[k++]];
      const now = current.has(p.path) ? current.get(p.path) : onTip;
      if (now !== p.base) fits = false;
      set.push([p.path, wanted]);
    }
    if (!fits) {
      if (r.id === mine.id) return 'stale';
      continue;
    }
    for (const [p, sha] of set) current.set(p, sha);
    landing.push({ ...r, set });
  }
  // One fast-import stream: each request as a commit on the previous one, its folders replaced by the request's.
  const stream: string[] = [];
  for (const [i, r] of landing.entries()) {
    stream.push(`commit refs/hat/landing`, `mark :${i + 1}`, r.author, r.committer, `data ${Buffer.byteLength(r.message)}`, r.message, `from ${i === 0 ? tip : `:${i}`}`);
    for (const [p, sha] of r.set) stream.push(sha ? `M 040000 ${sha} ${p}` : `D ${p}`);
    stream.push('');
  }
  const marks = path.join(dir, '.git', 'hat-landing.marks');
  await git(['fast-import', '--quiet', '--force', `--export-marks=${marks}`], { cwd: dir, env, input: `${stream.join('\n')}\n` });
  const landedAs = new Map((await readFile(marks, 'utf8')).split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
  const shaOf = (i: number) => landedAs.get(`:${i + 1}`)!;
  const last = shaOf(landing.length - 1);
  const args = [`--force-with-lease=refs/heads/${branch}:${tip}`];
  const specs = [`${last}:refs/heads/${branch}`];
  for (const [i, r] of landing.entries()) {
    args.push(`--force-with-lease=${r.ref}:${r.sha}`);
    specs.push(`:${r.ref}`);
    if (r.id === mine.id) continue;
    const landedRef = `${LANDED}/${branch}/${r.id}`;
    args.push(`--force-with-lease=${landedRef}:`);
    specs.push(`${shaOf(i)}:${landedRef}`);
  }
  // Housekeeping in the same push: requests nobody will land any more, landed refs their owners have read.
  for (const r of dead) {
    args.push(`--force-with-lease=${r.ref}:${r.sha}`);
    specs.push(`:${r.ref}`);
  }
  for (const [ref, sha] of listed) {
    if (ref.startsWith(`${LANDED}/${branch}/`) && now - idTime(ref.slice(`${LANDED}/${branch}/`.length)) > LANDED_KEEP_MS) {
      args.push(`--force-with-lease=${ref}:${sha}`);
      specs.push(`:${ref}`);
    }
  }
  await git(['-c', 'advice.pushUpdateRejected=false', 'push', '--quiet', '--atomic', ...args, 'origin', ...specs], { cwd: dir, env, what: 'push', ...signal });
  const index = landing.findIndex((r) => r.id === mine.id);
  log.info(`landed ${landing.length} queued commit${landing.length === 1 ? '' : 's'} in one push, this run's as ${shaOf(index).slice(0, 12)} (${Math.round(performance.now() - t0)} ms)`);
  return shaOf(index);
}

/** Reads the requests' headers and messages in one process. */
async function parseRequests(dir: string, env: Record<string, string>, requests: readonly Request[]): Promise<Parsed[]> {
  if (requests.length === 0) return [];
  const out = (await git(['log', '--no-walk=unsorted', '--format=%H%x00%B%x00', ...requests.map((r) => r.sha)], { cwd: dir, env })).stdout;
  const bodies = new Map<string, string>();
  const parts = out.split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) bodies.set(parts[i]!.trim(), parts[i + 1]!);
  const parsed: Parsed[] = [];
  for (const r of requests) {
    const body = bodies.get(r.sha) ?? '';
    const split = body.indexOf('\n\n');
    const head = body.slice(0, split).split('\n');
    if (head[0] !== HEADER) continue; // not a request this version understands: left alone
    const paths = head.filter((l) => l.startsWith('path ')).map((l) => {
      const [, base, ...rest] = l.split(' ');
      return { path: rest.join(' '), base: base === '-' ? undefined : base };
    });
    const line = (key: string) => head.find((l) => l.startsWith(`${key} `)) ?? '';
    parsed.push({ ...r, paths, author: line('author'), committer: line('committer'), message: body.slice(split + 2) });
  }
  return parsed;
}

/** The object each `<rev>:<path>` names (undefined where the path does not exist), in one process. */
async function treeEntries(dir: string, env: Record<string, string>, names: readonly string[]): Promise<Array<string | undefined>> {
  if (names.length === 0) return [];
  const out = (await git(['cat-file', '--batch-check=%(objectname)'], { cwd: dir, env, input: `${names.join('\n')}\n` })).stdout.split('\n');
  return names.map((_, i) => (/^[0-9a-f]{40,64}$/.test(out[i] ?? '') ? out[i] : undefined));
}
