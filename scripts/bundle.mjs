// Bundles one task (run from its folder, as `npm run bundle` / `nx run-many -t bundle`) into dist/task.mjs.
// Also importable: bundleTask(taskDir) is what `hat task run` uses when a bundle is missing or stale.
import { build } from 'esbuild';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Node 20 here, the Node LTS of Dockerfile.base in the image: target the older one. */
export const NODE_TARGET = 'node20';

/** One ESM file for node, every dependency inlined (CommonJS ones get a require). */
const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __hatCreateRequire } from 'node:module'; const require = __hatCreateRequire(import.meta.url);" },
};

export async function bundleTask(taskDir) {
  const outfile = path.join(taskDir, 'dist', 'task.mjs');
  await build({ ...NODE_BUNDLE, entryPoints: [path.join(taskDir, 'src', 'main.ts')], outfile });
  return outfile;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles the hat CLI into cli/dist/hat.mjs (cli/bin/hat.mjs runs it; it rebuilds it when a source is newer).
 * One file with every workspace library and npm dependency inlined, so `npm pack` of cli/ is the whole tool.
 */
export async function bundleCli() {
  const outfile = path.join(repoRoot, 'cli', 'dist', 'hat.mjs');
  // Written beside its place and renamed: a hat started meanwhile never reads half a bundle.
  const temp = `${outfile}.${process.pid}.tmp`;
  await build({ ...NODE_BUNDLE, entryPoints: [path.join(repoRoot, 'cli', 'src', 'main.ts')], outfile: temp });
  await rename(temp, outfile);
  return outfile;
}

/** For `npm pack` of cli/: the Tekton validator's Go sources, which an installed hat builds on first use. */
export async function copyValidatorSources() {
  const dir = path.join(repoRoot, 'cli', 'validator');
  await mkdir(dir, { recursive: true });
  for (const f of ['main.go', 'go.mod', 'go.sum']) await copyFile(path.join(repoRoot, 'test', 'validator', f), path.join(dir, f));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--with-validator')) await copyValidatorSources();
  const out = process.argv[2] === '--cli' ? await bundleCli() : await bundleTask(process.cwd());
  console.log(`bundled ${path.relative(process.cwd(), out)}`);
}
