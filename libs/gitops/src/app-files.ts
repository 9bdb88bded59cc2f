// The one piece of I/O: reading an app's folder (apps/<app>/, or apps/<shard>/<app>/: layout.ts) from a checked-out env repo.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppFiles, AppPaths } from './app-state.ts';
import { appDir, readLayout, type Layout } from './layout.ts';

/** Repo-relative paths of an app's files. */
export function appPaths(app: string, layout: Layout = 'flat'): Required<AppPaths> {
  const dir = appDir(app, layout);
  return { app, chartPath: `${dir}/Chart.yaml`, valuesPath: `${dir}/values.yaml`, lockPath: `${dir}/Chart.lock` };
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Reads {Chart.yaml, values.yaml, Chart.lock} of the app's folder under `repoDir` (where its hat.yaml says). Chart.yaml must exist (undefined
 * otherwise: the app is not in this env); a missing values.yaml reads as empty; `lock` only when present.
 */
export async function readAppFiles(repoDir: string, app: string): Promise<{ files: AppFiles; paths: Required<AppPaths> } | undefined> {
  const paths = appPaths(app, await readLayout(repoDir));
  const chart = await readOptional(path.join(repoDir, paths.chartPath));
  if (chart === undefined) return undefined;
  const values = (await readOptional(path.join(repoDir, paths.valuesPath))) ?? '';
  const lock = await readOptional(path.join(repoDir, paths.lockPath));
  return { files: lock === undefined ? { chart, values } : { chart, values, lock }, paths };
}
