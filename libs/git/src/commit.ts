import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { git } from './git.ts';

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
}

/** git's environment for a commit by `who`, as author and committer. */
export const identityEnv = (who: Identity): Record<string, string> => ({
  GIT_AUTHOR_NAME: who.name,
  GIT_AUTHOR_EMAIL: who.email,
  GIT_COMMITTER_NAME: who.name,
  GIT_COMMITTER_EMAIL: who.email,
});

export function commitMessage(subject: string, trailers: CommitOptions['trailers'], body?: string): string {
  const lines = trailers.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}: ${String(v).replace(/\s+/g, ' ')}`);
  return [subject, '', ...(body ? [body, ''] : []), ...lines, ''].join('\n');
}

/** Stages `paths`, commits them with trailers under the given identity, returns the new commit SHA. */
export async function commitPaths(opts: CommitOptions): Promise<string> {
  const env = { ...opts.env, ...identityEnv(opts.author) };
  await git(['add', '--', ...opts.paths], { cwd: opts.cwd, env });
  await git(['commit', '--quiet', '--no-verify', '--cleanup=verbatim', '-F', '-'], {
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
