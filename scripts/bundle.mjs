// Bundles one task (run from its folder, as `npm run bundle` / `nx run-many -t bundle`) into dist/task.mjs.
// Also importable: bundleTask(taskDir) is what `hat task run` uses when a bundle is missing or stale.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
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
  const dist = path.join(repoRoot, 'cli', 'dist');
  const outfile = path.join(dist, 'hat.mjs');
  // Each command's code is a chunk of its own, loaded when that command runs (main.ts). Chunk names carry a content
  // hash: new chunks are moved in next to the old ones (a hat started earlier may still load those), then the
  // entry file is swapped in with a rename, so a hat started meanwhile never reads half a bundle.
  const temp = `${dist}.${process.pid}.tmp`;
  await rm(temp, { recursive: true, force: true });
  await build({ ...NODE_BUNDLE, entryPoints: { hat: path.join(repoRoot, 'cli', 'src', 'main.ts') }, outdir: temp, splitting: true, chunkNames: 'chunks/[name]-[hash]', outExtension: { '.js': '.mjs' } });
  await mkdir(path.join(dist, 'chunks'), { recursive: true });
  for (const chunk of await readdir(path.join(temp, 'chunks'))) await rename(path.join(temp, 'chunks', chunk), path.join(dist, 'chunks', chunk));
  await rename(path.join(temp, 'hat.mjs'), outfile);
  await rm(temp, { recursive: true, force: true });
  return outfile;
}

/** Removes the chunks in cli/dist/chunks that cli/dist/hat.mjs does not reach. */
export async function pruneChunks() {
  const dist = path.join(repoRoot, 'cli', 'dist');
  const reached = new Set();
  const visit = async (file) => {
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/["']\.\/(?:chunks\/)?([\w-]+\.mjs)["']/g)) {
      if (reached.has(m[1])) continue;
      reached.add(m[1]);
      await visit(path.join(dist, 'chunks', m[1]));
    }
  };
  await visit(path.join(dist, 'hat.mjs'));
  for (const chunk of await readdir(path.join(dist, 'chunks'))) if (!reached.has(chunk)) await rm(path.join(dist, 'chunks', chunk));
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
  // npm pack: only the chunks the new bundle uses (earlier builds' chunks stay until then, for hats still running).
  if (process.argv.includes('--with-validator')) await pruneChunks();
  console.log(`bundled ${path.relative(process.cwd(), out)}`);
}
