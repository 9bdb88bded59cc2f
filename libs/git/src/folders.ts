// The write path's view of a repo: the root's files and a few folders on disk, at the branch's head, and a commit
// written from them. There is no index of the whole tree and nothing else is fetched: the clone holds the commit,
// its root tree and the root's direct entries (`--filter=tree:2`), then the folders' trees and blobs come in one
// fetch by object id (for a folder below the second level, the whole second-level entry on its path: a shard). A
// commit is written by fast-import from the head's tree and the folders' files, so only the trees on the folders'
// paths are read. What a promotion costs then grows with neither the repo's history nor its number of other
// folders, except for the trees that list them (bench/promote, "Scale").
import { lstat, readdir, readFile, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { git } from './git.ts';
import { headCommit, identityEnv, type Identity } from './commit.ts';
import { signingConfig, type SigningKey } from './signing.ts';

export interface TreeEntry {
  readonly mode: string;
  readonly type: string;
  readonly oid: string;
  /** From the repo's root. */
  readonly path: string;
}

export interface Folders {
  /** The commit the files on disk are from; undefined in an empty repo. */
  readonly head: string | undefined;
  /** The folders (or files) written to disk, from the root. */
  readonly paths: readonly string[];
  /** The files the root and the folders held at `head`, as written to disk. */
  readonly files: readonly TreeEntry[];
}

/** Reads a file of the repo's root at the head (undefined when there is none). */
export type ReadRootFile = (name: string) => Promise<string | undefined>;

/** The folders to write: given, or chosen from the root's files (an env repo's hat.yaml names its layout). */
export type FolderPaths = readonly string[] | ((readRoot: ReadRootFile) => Promise<readonly string[]>);

export const resolvePaths = (paths: FolderPaths, readRoot: ReadRootFile): Promise<readonly string[]> => (typeof paths === 'function' ? paths(readRoot) : Promise.resolve(paths));

export interface FoldersOptions {
  readonly url: string;
  readonly branch: string;
  readonly dir: string;
  /** Folders (or files) to write to disk; the root's files always come along. */
  readonly paths: FolderPaths;
  readonly env: Record<string, string>;
  readonly what: string;
  readonly signal?: AbortSignal;
}

const common = (o: { env: Record<string, string>; what: string; signal?: AbortSignal | undefined }, cwd?: string) => ({
  env: o.env,
  what: o.what,
  ...(cwd !== undefined ? { cwd } : {}),
  ...(o.signal ? { signal: o.signal } : {}),
});

/** Clones the branch's head (depth 1, trees down to the root's entries) and writes the root's files and `paths`. */
export async function cloneFolders(opts: FoldersOptions): Promise<Folders> {
  await git(
    ['clone', '--quiet', '--depth', '1', '--filter=tree:2', '--no-checkout', '--single-branch', '--branch', opts.branch, '--', opts.url, opts.dir],
    common(opts),
  );
  return checkoutFolders(opts, false);
}

/** Moves a folder clone to the remote branch's new head (after a rejected push), dropping local commits and edits. */
export async function fetchFolders(opts: Omit<FoldersOptions, 'url'>): Promise<Folders> {
  // Straight into the branch HEAD names (a folder clone has no index or checkout to keep in step with it).
  const branch = `refs/heads/${opts.branch}`;
  await git(['fetch', '--quiet', '--update-head-ok', '--depth', '1', '--filter=tree:2', 'origin', `+${branch}:${branch}`], common(opts, opts.dir));
  return refolder(opts);
}

/**
 * Writes the root's files and `paths` afresh at the clone's branch as it is (a clone kept for another update: the
 * server is asked only for folders it does not have yet), dropping the files of the update before.
 */
export async function refolder(opts: Omit<FoldersOptions, 'url'>): Promise<Folders> {
  const entries = await readdir(opts.dir);
  await Promise.all(entries.filter((e) => e !== '.git').map((e) => rm(path.join(opts.dir, e), { recursive: true, force: true })));
  return checkoutFolders(opts, true);
}

/** `used`: the clone has had other updates (pushes, fetches) since it was cloned, so it may lack a folder's files. */
async function checkoutFolders(opts: Omit<FoldersOptions, 'url'>, used: boolean): Promise<Folders> {
  const c = common(opts, opts.dir);
  const head = await headCommit(opts.dir);
  const list = async (args: readonly string[]) => parseTree((await git(['ls-tree', '-z', ...args], c)).stdout);
  const root = (await list([head])).filter((e) => e.type === 'blob');
  const atRoot = new Set(root.map((e) => e.path));
  const readRoot: ReadRootFile = async (name) => {
    const entry = root.find((e) => e.path === name);
    return entry ? (await git(['cat-file', 'blob', entry.oid], c)).stdout : undefined;
  };
  const paths = await resolvePaths(opts.paths, readRoot);
  // Each folder comes with the entry on its path that the clone lists (apps/<app>, or a shard apps/<shard> holding
  // apps/<shard>/<app>), whole, in one fetch by id: a deeper folder's parent tree is never fetched on its own.
  const tops = [...new Set(paths.map((p) => p.split('/').slice(0, 2).join('/')))];
  const wanted = tops.length ? (await list([head, '--', ...tops])).filter((e) => (e.type === 'tree' || e.type === 'blob') && !atRoot.has(e.path)) : [];
  const fetchIds = (oids: readonly string[]) => git(['-c', 'fetch.negotiationAlgorithm=noop', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', 'origin', ...oids], c);
  if (wanted.length) await fetchIds(wanted.map((t) => t.oid));
  // A clone used before (kept from update to update, or re-applying after a rejected push) may hold a folder's tree
  // without its files (a lazy fetch during a push brings trees only), and git fetches nothing for a tree it has: the
  // files it lacks come in one more fetch, not one lazy fetch each at checkout. A fresh clone has them all.
  const trees = used ? wanted.filter((t) => t.type === 'tree').map((t) => t.oid) : [];
  const missing = trees.length ? await missingObjects(trees, c) : [];
  if (missing.length) await fetchIds(missing);
  const inside = wanted.length ? (await list(['-r', head, '--', ...paths])).filter((e) => e.type === 'blob' && !atRoot.has(e.path)) : [];
  const files = [...root, ...inside];
  if (files.length) {
    // A throwaway index of just these files writes them (modes, symlinks) as git would; the repo's index stays empty.
    const index = { ...c, env: { ...opts.env, GIT_INDEX_FILE: path.join(opts.dir, '.git', 'hat-folders.index') } };
    await git(['update-index', '-z', '--index-info'], { ...index, input: files.map((f) => `${f.mode} ${f.oid}\t${f.path}\0`).join('') });
    await git(['checkout-index', '--all', '--force'], index);
    await rm(index.env.GIT_INDEX_FILE, { force: true });
  }
  return { head, paths, files };
}

/** The objects under the trees `oids` (which the clone has) that it lacks; nothing fetched. */
async function missingObjects(oids: readonly string[], c: Parameters<typeof git>[1]): Promise<string[]> {
  const out = (await git(['rev-list', '--objects', '--no-object-names', '--missing=print', '--stdin'], { ...c, input: `${oids.join('\n')}\n` })).stdout;
  return out.split('\n').filter((l) => l.startsWith('?')).map((l) => l.slice(1));
}

/** `git ls-tree -z` output: "<mode> <type> <oid>\t<path>\0"… */
function parseTree(out: string): TreeEntry[] {
  return out
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode = '', type = '', oid = ''] = line.slice(0, tab).split(' ');
      return { mode, type, oid, path: line.slice(tab + 1) };
    });
}

export interface CommitFoldersOptions {
  readonly dir: string;
  readonly branch: string;
  readonly folders: Folders;
  /** What the commit takes from disk: files and folders, from the root (a missing one is deleted). */
  readonly paths: readonly string[];
  readonly message: string;
  readonly author: Identity;
  readonly env: Record<string, string>;
  readonly signingKey?: SigningKey;
}

/**
 * Commits `paths` as they are on disk onto the folders' head (a first commit in an empty repo) and moves the branch
 * and HEAD to it. Returns the commit.
 */
export async function commitFolders(opts: CommitFoldersOptions): Promise<string> {
  const [commit] = await commitFoldersEach({ ...opts, commits: [{ paths: opts.paths, message: opts.message }] });
  return commit!;
}

/**
 * Several commits, one after the other on the folders' head, each of its own paths as they are on disk (the paths
 * of different commits must not overlap: each takes its files' final state). One `hash-object` and one
 * `fast-import` for all of them (a signed chain: one `commit-tree -S` each). Returns the commits, in order.
 */
export async function commitFoldersEach(opts: Omit<CommitFoldersOptions, 'paths' | 'message'> & { readonly commits: ReadonlyArray<{ readonly paths: readonly string[]; readonly message: string }> }): Promise<string[]> {
  const { dir, env } = opts;
  const c = { cwd: dir, env, what: 'commit' };
  const onDisk = await Promise.all(opts.commits.map(async (one) => (await Promise.all(one.paths.map((p) => walk(dir, p)))).flat()));
  const regular = onDisk.flat().filter((f) => f.mode !== '120000');
  const hashed = regular.length
    ? (await git(['hash-object', '-w', '--no-filters', '--stdin-paths'], { ...c, input: `${regular.map((f) => f.path).join('\n')}\n` })).stdout.split('\n')
    : [];
  const oidOf = new Map(regular.map((f, i) => [f.path, hashed[i]!]));
  const known = new Map(opts.folders.files.map((f) => [f.path, f]));

  const who = `${clean(opts.author.name)} <${clean(opts.author.email)}> ${timestamp()}`;
  const head = opts.folders.head;
  const stream: string[] = [];
  for (const [n, one] of opts.commits.entries()) {
    const files = onDisk[n]!;
    const present = new Set(files.map((f) => f.path));
    const under = (f: string) => one.paths.some((p) => f === p || f.startsWith(`${p}/`));
    const changes: string[] = [];
    for (const f of files) {
      if (f.mode === '120000') {
        const target = await readlink(path.join(dir, f.path));
        changes.push(`M 120000 inline ${quote(f.path)}`, `data ${Buffer.byteLength(target)}`, target);
        continue;
      }
      const oid = oidOf.get(f.path)!;
      const before = known.get(f.path);
      if (before?.oid !== oid || before.mode !== f.mode) changes.push(`M ${f.mode} ${oid} ${quote(f.path)}`);
    }
    for (const f of opts.folders.files) if (under(f.path) && !present.has(f.path)) changes.push(`D ${quote(f.path)}`);
    stream.push(
      `commit refs/heads/${opts.branch}`,
      `mark :${n + 1}`,
      `author ${who}`,
      `committer ${who}`,
      `data ${Buffer.byteLength(one.message)}`,
      one.message,
      // The first on the head; each next one on the one before it (fast-import's tip of the branch).
      ...(n === 0 && head ? [`from ${head}`] : []),
      ...changes,
    );
  }
  stream.push('');
  const marks = path.join(dir, '.git', 'hat-commit.marks');
  // No deltas: the clone is thrown away, and the push computes its own.
  await git(['fast-import', '--quiet', '--depth=0', `--export-marks=${marks}`], { ...c, input: stream.join('\n') });
  const byMark = new Map((await readFile(marks, 'utf8')).split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
  const commits = opts.commits.map((_, n) => byMark.get(`:${n + 1}`)!);
  if (!opts.signingKey) return commits;
  // fast-import cannot sign: the same trees, parents, messages and dates again, signed, one after the other.
  const [, date] = who.split('> ');
  const dates = { GIT_AUTHOR_DATE: date!, GIT_COMMITTER_DATE: date! };
  const signed: string[] = [];
  for (const [n, commit] of commits.entries()) {
    const parent = signed.at(-1) ?? head;
    signed.push(
      (
        await git([...signingConfig(opts.signingKey), 'commit-tree', `${commit}^{tree}`, ...(parent ? ['-p', parent] : []), '-S', '-F', '-'], {
          ...c,
          env: { ...env, ...identityEnv(opts.author), ...dates },
          input: opts.commits[n]!.message,
        })
      ).stdout.trim(),
    );
  }
  await git(['update-ref', `refs/heads/${opts.branch}`, signed.at(-1)!], c);
  return signed;
}

/** The files under `rel` on disk (none if it is missing), with git's modes. */
async function walk(dir: string, rel: string): Promise<Array<{ path: string; mode: string }>> {
  const stat = await lstat(path.join(dir, rel)).catch(() => undefined);
  if (!stat) return [];
  if (stat.isSymbolicLink()) return [{ path: rel, mode: '120000' }];
  if (stat.isFile()) return [{ path: rel, mode: stat.mode & 0o111 ? '100755' : '100644' }];
  if (!stat.isDirectory()) return [];
  const names = (await readdir(path.join(dir, rel))).filter((n) => !(rel === '' && n === '.git')).sort();
  return (await Promise.all(names.map((n) => walk(dir, rel ? `${rel}/${n}` : n)))).flat();
}

/** fast-import's path syntax: C-style quoted when it could be misread. */
const quote = (p: string): string => (/^"|[\n\\"]/.test(p) ? `"${p.replace(/[\\"]/g, (ch) => `\\${ch}`).replace(/\n/g, '\\n')}"` : p);

/** What git itself strips from an identity. */
const clean = (s: string): string => s.replace(/[<>\n]/g, '').trim();

/** Now, as git writes it: seconds and the local UTC offset. */
function timestamp(): string {
  const offset = -new Date().getTimezoneOffset();
  const abs = Math.abs(offset);
  return `${Math.floor(Date.now() / 1000)} ${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}
