import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './repo-root.ts';

export { hasRepo, repoRoot, toolsBin } from './repo-root.ts';

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith('.ts')) continue;
    const full = path.join(e.parentPath, e.name);
    if (full.includes(`${path.sep}test${path.sep}`)) continue;
    newest = Math.max(newest, (await stat(full)).mtimeMs);
  }
  return newest;
}

interface BundleScript {
  bundleTask(dir: string): Promise<string>;
  programFiles(dist: string, entry: string): Promise<string[]>;
}
const bundleScript = async (): Promise<BundleScript> => (await import(path.join(repoRoot, 'scripts', 'bundle.mjs'))) as BundleScript;

/** A program's files: its bundle `entry` and the chunks it loads, relative to the entry's folder, sorted. */
export async function programFiles(entry: string): Promise<string[]> {
  return (await bundleScript()).programFiles(path.dirname(entry), path.basename(entry));
}

const pending = new Map<string, Promise<string>>();

/** The bundle of a task program, rebuilt with esbuild when its sources (or any lib) are newer. */
export function ensureBundle(program: string): Promise<string> {
  let job = pending.get(program);
  if (!job) {
    job = (async () => {
      const taskDir = path.join(repoRoot, 'tasks', program);
      const out = path.join(taskDir, 'dist', 'task.mjs');
      const built = await stat(out).then((s) => s.mtimeMs, () => 0);
      const sources = Math.max(await newestMtime(path.join(taskDir, 'src')), await newestMtime(path.join(repoRoot, 'libs')));
      if (built < sources) {
        await (await bundleScript()).bundleTask(taskDir);
      }
      return out;
    })();
    pending.set(program, job);
    job.catch(() => pending.delete(program));
  }
  return job;
}
