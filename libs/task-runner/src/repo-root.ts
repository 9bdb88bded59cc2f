// Where this code runs from (node builtins only: the CLI's entry imports it without the rest of the runner).
import { existsSync } from 'node:fs';
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
