// The per-user cache of heavy builds (root file systems, base images, the node binary), shared by every clone:
// $HAT_CACHE_DIR, else $XDG_CACHE_HOME/hat, else ~/.cache/hat. Entries are keyed by their inputs and written
// atomically (built in a temp dir beside them, then renamed), so a crash never leaves a half-written entry.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['HAT_CACHE_DIR']) return path.resolve(env['HAT_CACHE_DIR']);
  const xdg = env['XDG_CACHE_HOME'];
  return path.join(xdg ? path.resolve(xdg) : path.join(os.homedir(), '.cache'), 'hat');
}

export const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

/** sha256 over a canonical JSON of the inputs, shortened for file names. */
export function inputKey(inputs: unknown): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Returns `<cache>/<name>`, building it first when absent: build(tempPath) writes the entry (a file or a folder)
 * at tempPath, which is renamed into place only when build succeeds.
 */
export async function cachedEntry(name: string, build: (tempPath: string, scratch: string) => Promise<void>, cacheDir = userCacheDir()): Promise<{ path: string; built: boolean }> {
  const target = path.join(cacheDir, name);
  if (await exists(target)) return { path: target, built: false };
  await mkdir(path.dirname(target), { recursive: true });
  const scratch = await mkdtemp(path.join(path.dirname(target), `.building-${path.basename(name)}-`));
  try {
    const temp = path.join(scratch, 'entry');
    await build(temp, scratch);
    await rename(temp, target).catch(async (err: NodeJS.ErrnoException) => {
      // Another process finished the same entry first: keep theirs (same inputs, same bytes).
      if (!(await exists(target))) throw err;
    });
    return { path: target, built: true };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
