import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The HAT repository this code runs from: the nearest folder up from this file holding nx.json and scripts/setup.sh
 * (from sources, libs/task-runner/src/; from the CLI bundle, cli/dist/). An installed `hat` (npm pack of cli/) has no
 * repository: then repoRoot is '' and hasRepo false, and only the commands that need none work.
 */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json')) && existsSync(path.join(dir, 'scripts', 'setup.sh'))) return dir;
    if (path.dirname(dir) === dir) return '';
  }
}
export const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
export const hasRepo = repoRoot !== '';
/** The project's pinned tools (helm, kustomize, the Tekton validator), built by scripts/setup.sh. */
export const toolsBin = hasRepo ? path.join(repoRoot, '.tools', 'bin') : '';

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
        const { bundleTask } = (await import(path.join(repoRoot, 'scripts', 'bundle.mjs'))) as { bundleTask: (dir: string) => Promise<string> };
        await bundleTask(taskDir);
      }
      return out;
    })();
    pending.set(program, job);
    job.catch(() => pending.delete(program));
  }
  return job;
}
