// Shared by the image tests: the temp catalog's Task YAML, runs of it in a container and on the host, temp dirs.
import { chmod, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { parse } from 'yaml';
import { runTaskLocally, type LocalRunOptions, type LocalRunResult } from '@hat/task-runner';
import { TASK_UID } from '@hat/image';
import type { ImagesContext } from './context.ts';

export async function catalogTask(ctx: ImagesContext, task: string): Promise<Record<string, unknown>> {
  const file = path.join(ctx.catalog, 'tasks', task, '1.0.0', `${task}.yaml`);
  return parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

/**
 * A temp dir removed after the test: readable by all (a mounted Secret or ConfigMap); `task`: the task user's (a
 * workspace the step writes); `anyone`: 1777, like an emptyDir.
 */
export async function tempDir(prefix: string, owner: 'root' | 'task' | 'anyone' = 'root'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, owner === 'anyone' ? 0o1777 : 0o755);
  if (owner === 'task') await chown(dir, TASK_UID, TASK_UID);
  return dir;
}

type RunOpts = Omit<LocalRunOptions, 'task' | 'runtime'>;

/** The Task run in its image (ctr run), as a kubelet would run its step. */
export const inContainer = async (ctx: ImagesContext, task: string, opts: RunOpts): Promise<LocalRunResult> =>
  runTaskLocally({ ...opts, task: await catalogTask(ctx, task), runtime: ctx.runtime, taskRunName: `${task}-run` });

/** The same Task run by the host runner (the program's bundle with this host's node). */
export const onHost = async (ctx: ImagesContext, task: string, opts: RunOpts): Promise<LocalRunResult> =>
  runTaskLocally({ ...opts, task: await catalogTask(ctx, task), taskRunName: `${task}-run` });
