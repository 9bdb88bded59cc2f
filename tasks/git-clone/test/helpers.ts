// Shared set-up of the git-clone tests: a real git server with one private app repo, and a way to run the
// Task the way users do (its rendered YAML through the local runner).
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { onTestFinished } from 'vitest';
import { runTaskLocally, type LocalRunResult } from '@hat/task-runner';
import { devImage, renderTaskObject } from '@hat/task-spec';
import { definition } from '../src/task.ts';

export const task = renderTaskObject(definition, { version: 'dev', image: devImage(definition.program) });

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A basic-auth workspace as tektoncd/catalog documents it: .git-credentials plus .gitconfig. */
export async function basicAuthWorkspace(serverUrl: string, username: string, password: string, into?: string): Promise<string> {
  const dir = into ?? (await tempDir('hat-basic-auth-'));
  const origin = new URL(serverUrl);
  await writeFile(path.join(dir, '.git-credentials'), `${origin.protocol}//${encodeURIComponent(username)}:${encodeURIComponent(password)}@${origin.host}\n`);
  await writeFile(path.join(dir, '.gitconfig'), `[credential "${origin.protocol}//${origin.host}"]\n\thelper = store\n`);
  return dir;
}

export interface CloneRun extends LocalRunResult {
  readonly output: string;
}

export async function clone(params: Record<string, string>, workspaces: Record<string, string> = {}, output?: string): Promise<CloneRun> {
  const out = output ?? (await tempDir('hat-clone-out-'));
  const result = await runTaskLocally({ task, params, workspaces: { output: out, ...workspaces } });
  return { ...result, output: out };
}

export const gitIn = async (dir: string, ...args: string[]): Promise<string> => (await execa('git', ['-C', dir, ...args])).stdout.trim();

/** Every file under .git, read as text: where a leaked credential would end up. */
export async function gitDirText(repo: string): Promise<string> {
  const entries = await readdir(path.join(repo, '.git'), { recursive: true, withFileTypes: true });
  const texts = await Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(path.join(e.parentPath, e.name), 'latin1')));
  return texts.join('\n');
}
