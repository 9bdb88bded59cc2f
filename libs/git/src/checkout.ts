import { git } from './git.ts';

export interface SparseCloneOptions {
  readonly url: string;
  readonly branch: string;
  readonly dir: string;
  /** Folders to check out (cone mode); the rest of the tree stays unfetched. */
  readonly paths: readonly string[];
  readonly env: Record<string, string>;
  readonly what: string;
  readonly signal?: AbortSignal;
}

/**
 * The least git work that can edit a few folders of a large repo: depth 1, no blobs but those of `paths`,
 * so its cost grows with neither the repo's history nor its number of apps. The clone checks out nothing;
 * the checkout after setting the cone fetches every blob it needs in one round trip (`clone --sparse` would
 * first fetch the root's blobs in a round trip of their own).
 */
export async function sparseClone(opts: SparseCloneOptions): Promise<void> {
  const common = { env: opts.env, what: opts.what, ...(opts.signal ? { signal: opts.signal } : {}) };
  await git(
    ['clone', '--quiet', '--depth', '1', '--filter=blob:none', '--no-checkout', '--single-branch', '--branch', opts.branch, '--', opts.url, opts.dir],
    common,
  );
  await git(['sparse-checkout', 'set', '--cone', ...opts.paths], { ...common, cwd: opts.dir });
  await git(['read-tree', '-mu', 'HEAD'], { ...common, cwd: opts.dir });
}

/** Moves a sparse shallow clone to the remote branch's new head (after a rejected push), dropping local commits. */
export async function resetToRemote(opts: Omit<SparseCloneOptions, 'paths' | 'url'>): Promise<void> {
  const common = { env: opts.env, what: opts.what, cwd: opts.dir, ...(opts.signal ? { signal: opts.signal } : {}) };
  await git(['fetch', '--quiet', '--depth', '1', '--filter=blob:none', 'origin', `+refs/heads/${opts.branch}:refs/remotes/origin/${opts.branch}`], common);
  await git(['reset', '--quiet', '--hard', `origin/${opts.branch}`], common);
}
