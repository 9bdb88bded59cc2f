// A catalog repository on the test stack's git server, reachable from pods (it listens on the node address too),
// holding this checkout's catalog/ as a user's repository would; and the hat CLI run as a user runs it.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { GitServer } from '../stack/index.ts';
import { repoRoot } from '@hat/task-runner';

export const CATALOG_USER = { username: 'argocd', password: 'catalog-read-secret-4711' };

/** Creates repo `hat` with catalog/ of this checkout at main; returns its URL on `address`. */
export async function catalogRepo(git: GitServer, address: string): Promise<string> {
  const repo = await git.createRepo('hat', CATALOG_USER);
  const files: Record<string, string> = {};
  const root = path.join(repoRoot, 'catalog');
  for (const rel of (await readdir(root, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => path.relative(repoRoot, path.join(d.parentPath, d.name)))) {
    files[rel] = await readFile(path.join(repoRoot, rel), 'utf8');
  }
  await git.seedRepo('hat', files, 'catalog');
  return git.urlOn(address, repo.url);
}

export interface HatRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved. */
  readonly all: string;
}

export async function hat(args: readonly string[], env: Record<string, string> = {}): Promise<HatRun> {
  const r = await execa(process.execPath, [path.join(repoRoot, 'cli', 'bin', 'hat.mjs'), ...args], { reject: false, env, all: true });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, all: r.all };
}
