import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { git } from './git.ts';
import { signingConfig, type SigningKey } from './signing.ts';

export interface Identity {
  readonly name: string;
  readonly email: string;
}

export interface CommitOptions {
  readonly cwd: string;
  readonly subject: string;
  readonly body?: string;
  /** Trailers in order; empty values are left out. */
  readonly trailers: ReadonlyArray<readonly [string, string | undefined]>;
  readonly author: Identity;
  readonly paths: readonly string[];
  readonly env: Record<string, string>;
  /** Every changed path is already tracked (an edit, no new files): commit with -a and skip `git add`. */
  readonly trackedOnly?: boolean;
  /** Sign the commit with this SSH key (gpg.format=ssh). */
  readonly signingKey?: SigningKey;
}

export function commitMessage(subject: string, trailers: CommitOptions['trailers'], body?: string): string {
  const lines = trailers.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}: ${String(v).replace(/\s+/g, ' ')}`);
  return [subject, '', ...(body ? [body, ''] : []), ...lines, ''].join('\n');
}

/** Stages `paths`, commits them with trailers under the given identity, returns the new commit SHA. */
export async function commitPaths(opts: CommitOptions): Promise<string> {
  const identity = {
    GIT_AUTHOR_NAME: opts.author.name,
    GIT_AUTHOR_EMAIL: opts.author.email,
    GIT_COMMITTER_NAME: opts.author.name,
    GIT_COMMITTER_EMAIL: opts.author.email,
  };
  const env = { ...opts.env, ...identity };
  if (!opts.trackedOnly) await git(['add', '--sparse', '--', ...opts.paths], { cwd: opts.cwd, env });
  const sign = opts.signingKey ? [...signingConfig(opts.signingKey)] : [];
  await git([...sign, 'commit', '--quiet', '--no-verify', '--cleanup=verbatim', ...(opts.signingKey ? ['-S'] : []), ...(opts.trackedOnly ? ['--all'] : []), '-F', '-'], {
    cwd: opts.cwd,
    env,
    input: commitMessage(opts.subject, opts.trailers, opts.body),
  });
  return headCommit(opts.cwd);
}

/** The commit HEAD points at, read from .git without starting a process (loose ref, else packed-refs). */
export async function headCommit(cwd: string): Promise<string> {
  const gitDir = path.join(cwd, '.git');
  const head = (await readFile(path.join(gitDir, 'HEAD'), 'utf8')).trim();
  if (!head.startsWith('ref: ')) return head;
  const ref = head.slice('ref: '.length);
  const loose = await readFile(path.join(gitDir, ref), 'utf8').catch(() => undefined);
  if (loose) return loose.trim();
  const packed = await readFile(path.join(gitDir, 'packed-refs'), 'utf8').catch(() => '');
  const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
  if (!line) return (await git(['rev-parse', 'HEAD'], { cwd })).stdout.trim();
  return line.split(' ')[0]!;
}
