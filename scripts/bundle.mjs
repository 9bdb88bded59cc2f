// Bundles one task (run from its folder, as `npm run bundle` / `nx run-many -t bundle`) into dist/task.mjs.
// Also importable: bundleTask(taskDir) is what `hat task run` uses when a bundle is missing or stale.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Node 20 here, the Node LTS of Dockerfile.base in the image: target the older one. */
export const NODE_TARGET = 'node20';

export async function bundleTask(taskDir) {
  const outfile = path.join(taskDir, 'dist', 'task.mjs');
  await build({
    entryPoints: [path.join(taskDir, 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __hatCreateRequire } from 'node:module'; const require = __hatCreateRequire(import.meta.url);" },
  });
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await bundleTask(process.cwd());
  console.log(`bundled ${path.relative(process.cwd(), out)}`);
}
