import { git } from '@hat/git';
import { CommandError, InputError } from '@hat/task-runtime';
import { notFound, type Target } from './revision.ts';

export interface CheckoutOptions {
  readonly dir: string;
  readonly url: string;
  readonly revision: string;
  readonly depth: number;
  /** Also fetch every tag (what the version task needs to find the latest release). */
  readonly fetchTags?: boolean;
  readonly env: Record<string, string>;
  readonly signal?: AbortSignal;
}

/** Minutes a transfer may take: large repos over slow links need more than git()'s default two minutes. */
const TRANSFER_TIMEOUT_MS = 15 * 60_000;

const NOT_FOUND = /not our ref|unadvertised object|couldn't find remote ref|no such remote ref|bad object|unable to read tree/i;

/** `git init` (idempotent) and point origin at the URL, which carries no credentials. */
export async function initRepo(opts: CheckoutOptions): Promise<void> {
  const common = { cwd: opts.dir, env: opts.env, ...(opts.signal ? { signal: opts.signal } : {}) };
  await git(['init', '--quiet', '--initial-branch=main', opts.dir], { env: opts.env });
  const existing = await git(['remote', 'get-url', 'origin'], { ...common, okExitCodes: [2] });
  await git(existing.exitCode === 2 ? ['remote', 'add', 'origin', opts.url] : ['remote', 'set-url', 'origin', opts.url], common);
}

/** Fetches exactly the target (at the depth asked) into the repo; a commit unknown to the server is bad input. */
export async function fetchTarget(target: Target, opts: CheckoutOptions): Promise<void> {
  const common = { cwd: opts.dir, env: opts.env, ...(opts.signal ? { signal: opts.signal } : {}) };
  const depth = opts.depth > 0 ? ['--depth', String(opts.depth)] : [];
  if (opts.depth === 0) {
    const shallow = await git(['rev-parse', '--is-shallow-repository'], common);
    if (shallow.stdout.trim() === 'true') depth.push('--unshallow');
  }
  const refspec =
    target.kind === 'branch'
      ? `+refs/heads/${target.name}:refs/remotes/origin/${target.name}`
      : target.kind === 'tag'
        ? `+refs/tags/${target.name}:refs/tags/${target.name}`
        : target.kind === 'ref'
          ? `+${target.ref}:refs/hat/fetched`
          : target.sha;
  const tags = opts.fetchTags ? ['+refs/tags/*:refs/tags/*'] : [];
  await git(['fetch', '--quiet', '--force', ...depth, 'origin', refspec, ...tags], {
    ...common,
    timeoutMs: TRANSFER_TIMEOUT_MS,
    what: `fetch from ${opts.url}`,
    // "not our ref" must win over a trailing "remote end hung up", which would look transient.
    onStderr: (stderr) => (NOT_FOUND.test(stderr) ? notFound(opts.revision, opts.url) : undefined),
  });
}

/** Checks the target out: a branch as a local branch of that name, anything else as a detached HEAD. */
export async function checkoutTarget(target: Target, opts: CheckoutOptions): Promise<void> {
  const common = { cwd: opts.dir, env: opts.env, ...(opts.signal ? { signal: opts.signal } : {}) };
  const args =
    target.kind === 'branch'
      ? ['-B', target.name, `refs/remotes/origin/${target.name}`]
      : ['--detach', target.kind === 'tag' ? `refs/tags/${target.name}^{commit}` : target.kind === 'ref' ? 'refs/hat/fetched^{commit}' : target.sha];
  try {
    await git(['checkout', '--quiet', '--force', ...args], common);
  } catch (err) {
    if (err instanceof CommandError && target.kind === 'commit' && /reference is not a tree|unable to read tree/i.test(err.stderrTail)) {
      throw new InputError(`revision ${JSON.stringify(opts.revision)} is not a commit in ${opts.url}`);
    }
    throw err;
  }
}

export async function updateSubmodules(opts: CheckoutOptions): Promise<void> {
  const depth = opts.depth > 0 ? ['--depth', String(opts.depth)] : [];
  await git(['submodule', 'update', '--init', '--recursive', '--force', ...depth], {
    timeoutMs: TRANSFER_TIMEOUT_MS,
    cwd: opts.dir,
    env: opts.env,
    what: `submodules of ${opts.url}`,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

export async function headInfo(opts: CheckoutOptions): Promise<{ commit: string; committerDate: string }> {
  const { stdout } = await git(['log', '-1', '--format=%H %ct'], { cwd: opts.dir, env: opts.env });
  const [commit = '', committerDate = ''] = stdout.trim().split(' ');
  return { commit, committerDate };
}
