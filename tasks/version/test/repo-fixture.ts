// Real git repos in temp dirs for the version task's tests.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { onTestFinished } from 'vitest';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'HAT Test',
  GIT_AUTHOR_EMAIL: 'test@hat.invalid',
  GIT_COMMITTER_NAME: 'HAT Test',
  GIT_COMMITTER_EMAIL: 'test@hat.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export interface Repo {
  readonly dir: string;
  git(...args: string[]): Promise<string>;
  /** Commits one new file; returns the commit SHA. */
  commit(message: string): Promise<string>;
}

let counter = 0;

export async function tempDir(prefix = 'hat-version-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function repoAt(dir: string): Repo {
  const git = async (...args: string[]): Promise<string> => (await execa('git', args, { cwd: dir, env: IDENTITY })).stdout.trim();
  return {
    dir,
    git,
    async commit(message) {
      counter += 1;
      await writeFile(path.join(dir, `file-${counter}.txt`), `${message}\n`);
      await git('add', '.');
      await git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}

export async function createRepo(branch = 'main'): Promise<Repo> {
  const dir = await tempDir();
  await execa('git', ['init', '--quiet', '--initial-branch', branch, dir], { env: IDENTITY });
  return repoAt(dir);
}

/** A clone of `origin` (a path) over file://, so --depth works as it does over the network. */
export async function cloneRepo(origin: string, args: readonly string[] = []): Promise<Repo> {
  const dir = path.join(await tempDir('hat-version-clone-'), 'src');
  await execa('git', ['clone', '--quiet', ...args, `file://${origin}`, dir], { env: IDENTITY });
  return repoAt(dir);
}
