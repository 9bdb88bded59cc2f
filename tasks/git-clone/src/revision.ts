import { git } from '@hat/git';
import { InputError } from '@hat/task-runtime';

/** What a revision param names on the remote, with the commit it points at (except a bare SHA, known after fetching). */
export type Target =
  | { readonly kind: 'commit'; readonly sha: string }
  | { readonly kind: 'branch'; readonly name: string; readonly sha: string }
  | { readonly kind: 'tag'; readonly name: string; readonly sha: string }
  | { readonly kind: 'ref'; readonly ref: string; readonly sha: string };

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const SHORT_SHA = /^[0-9a-f]{4,39}$/i;

export const notFound = (revision: string, url: string): InputError =>
  new InputError(`revision ${JSON.stringify(revision)} not found in ${url}${SHORT_SHA.test(revision) ? ' (give a commit as its full SHA)' : ''}`);

/** Parses `git ls-remote --symref` output into ref → sha, and HEAD's branch. */
export function parseLsRemote(stdout: string): { refs: Map<string, string>; headBranch: string | undefined } {
  const refs = new Map<string, string>();
  let headBranch: string | undefined;
  for (const line of stdout.split('\n')) {
    const [left, right] = line.split('\t');
    if (!left || !right) continue;
    const symref = /^ref: refs\/heads\/(.+)$/.exec(left);
    if (symref && right === 'HEAD') headBranch = symref[1];
    else if (!left.startsWith('ref:')) refs.set(right, left);
  }
  return { refs, headBranch };
}

export interface ResolveOptions {
  readonly url: string;
  readonly env: Record<string, string>;
  readonly signal?: AbortSignal;
}

/**
 * Finds what `revision` names on the remote with one `git ls-remote`: a branch (preferred when a tag has the same
 * name), a tag (peeled to its commit), a full ref, HEAD (the default branch), or a full commit SHA (taken as is).
 */
export async function resolveRevision(revision: string, opts: ResolveOptions): Promise<Target> {
  if (FULL_SHA.test(revision)) return { kind: 'commit', sha: revision.toLowerCase() };
  const patterns = revision === 'HEAD' ? ['HEAD'] : revision.startsWith('refs/') ? [revision] : [`refs/heads/${revision}`, `refs/tags/${revision}`];
  const { stdout } = await git(['ls-remote', '--symref', '--', opts.url, ...patterns], {
    env: opts.env,
    what: `ls-remote ${opts.url}`,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const { refs, headBranch } = parseLsRemote(stdout);
  if (revision === 'HEAD') {
    const sha = refs.get('HEAD');
    if (!headBranch || !sha) throw new InputError(`${opts.url} has no default branch (HEAD points nowhere); give a branch, tag or commit`);
    return { kind: 'branch', name: headBranch, sha };
  }
  // A full refs/heads/… or refs/tags/… (what triggers pass) is still a branch or a tag.
  const name = revision.replace(/^refs\/(heads|tags)\//, '');
  const branch = revision.startsWith('refs/tags/') ? undefined : refs.get(`refs/heads/${name}`);
  if (branch) return { kind: 'branch', name, sha: branch };
  const tag = revision.startsWith('refs/heads/') ? undefined : (refs.get(`refs/tags/${name}^{}`) ?? refs.get(`refs/tags/${name}`));
  if (tag) return { kind: 'tag', name, sha: tag };
  if (revision.startsWith('refs/')) {
    const sha = refs.get(`${revision}^{}`) ?? refs.get(revision);
    if (sha) return { kind: 'ref', ref: revision, sha };
  }
  throw notFound(revision, opts.url);
}
