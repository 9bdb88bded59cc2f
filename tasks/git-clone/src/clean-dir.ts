import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** Empties a directory (dotfiles included) without removing it: it is usually a volume's mount point. */
export async function emptyDir(dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const entries = await readdir(dir);
  await Promise.all(entries.map((e) => rm(path.join(dir, e), { recursive: true, force: true })));
  return entries.length;
}
