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
 * A worktree of a few folders of a large repo, for reading (writes go through folders.ts, which needs no
 * whole-tree index): depth 1, no blobs but those of `paths`, so its cost grows with neither the repo's history
 * nor its number of apps' blobs. The clone checks out nothing;
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
