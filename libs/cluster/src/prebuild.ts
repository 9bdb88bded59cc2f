// The cluster's programs built ahead of time, in the background at the lowest CPU priority: CI starts it after
// setup, so that the 40-odd minutes of cold Go builds overlap the tests that run before the cluster is needed.
// `hat cluster up` then waits for the component being built (build-lock.ts) instead of compiling it twice.
import { openSync, closeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { exists, userCacheDir } from '@hat/image';
import { componentEntry } from './build-component.ts';
import { clusterCacheDir } from './cache-entry.ts';
import { COMPONENTS, type ComponentName } from './components.ts';
import { goVersion } from './go-env.ts';

/** The components whose binaries are not in the per-user cache yet. */
export async function uncachedComponents(cacheDir = userCacheDir()): Promise<ComponentName[]> {
  const go = await goVersion();
  const missing: ComponentName[] = [];
  for (const name of COMPONENTS) {
    const { binDir, entryFile } = componentEntry(name, go, cacheDir);
    if (!(await exists(path.join(binDir, entryFile)))) missing.push(name);
  }
  return missing;
}

export interface BackgroundBuild {
  readonly pid: number;
  readonly log: string;
  readonly components: readonly ComponentName[];
}

/**
 * Starts `command` (argv of a process that builds every component: `hat cluster build`) detached, under `nice -n 19`,
 * its output in the cluster cache's prebuild.log; returns undefined when everything is cached already.
 */
export async function startBackgroundBuild(command: readonly string[], cacheDir = userCacheDir()): Promise<BackgroundBuild | undefined> {
  const components = await uncachedComponents(cacheDir);
  if (components.length === 0) return undefined;
  const dir = clusterCacheDir(cacheDir);
  await mkdir(dir, { recursive: true });
  const log = path.join(dir, 'prebuild.log');
  const fd = openSync(log, 'a') as 3;
  const child = execa('nice', ['-n', '19', ...command], { detached: true, stdin: 'ignore', stdout: fd, stderr: fd, reject: false, cleanup: false });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${command.join(' ')}`);
  return { pid: child.pid, log, components };
}
