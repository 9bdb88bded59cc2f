#!/usr/bin/env node
// The hat CLI runs from one esbuild bundle (dist/hat.mjs): fast to start, and the whole tool when installed from
// `npm pack`. In the HAT repository the sources are the truth: when any is newer than the bundle (or it is
// missing), it is rebuilt first (scripts/bundle.mjs; about a second).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.join(here, '..', 'dist', 'hat.mjs');
const repo = path.join(here, '..', '..');
const inRepo = existsSync(path.join(repo, 'nx.json')) && existsSync(path.join(repo, 'scripts', 'bundle.mjs'));

function newestSource() {
  let newest = 0;
  for (const dir of [path.join(repo, 'cli', 'src'), path.join(repo, 'libs'), path.join(repo, 'tasks'), path.join(repo, 'test', 'stack', 'src')]) {
    let entries = [];
    try {
      entries = readdirSync(dir, { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isFile() || !e.name.endsWith('.ts')) continue;
      const file = path.join(e.parentPath ?? e.path, e.name);
      if (file.includes(`${path.sep}test${path.sep}`) && !file.includes(`${path.sep}test${path.sep}stack${path.sep}src`)) continue;
      newest = Math.max(newest, statSync(file).mtimeMs);
    }
  }
  return newest;
}

if (inRepo) {
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  if (built < newestSource()) {
    const { bundleCli } = await import(pathToFileURL(path.join(repo, 'scripts', 'bundle.mjs')).href);
    await bundleCli();
  }
}
await import(pathToFileURL(bundle).href);
