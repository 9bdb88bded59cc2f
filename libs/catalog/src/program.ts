// A task program as its image carries it: the bundle's entry (task.mjs) and the chunks it loads when needed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { programFiles } from '@hat/task-runner';
import { sha256 } from './source-digest.ts';

/**
 * The program's digest (hat.dev/program-digest): of task.mjs when that is the whole program (as every program was
 * before chunks, so their recorded digests still hold), else of the list of its files' digests and paths.
 */
export async function programDigest(entry: string): Promise<string> {
  const files = await programFiles(entry);
  if (files.length === 1) return sha256(await readFile(entry));
  const lines = await Promise.all(files.map(async (f) => `${sha256(await readFile(path.join(path.dirname(entry), f)))}  ${f}\n`));
  return sha256(lines.join(''));
}
