import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** One key of a mounted Secret/ConfigMap (a file), without its trailing newline; undefined when absent. */
export async function readMountKey(dir: string | undefined, key: string): Promise<string | undefined> {
  if (dir === undefined) return undefined;
  return readFile(path.join(dir, key), 'utf8').then(
    (text) => text.replace(/\r?\n$/, ''),
    () => undefined,
  );
}
