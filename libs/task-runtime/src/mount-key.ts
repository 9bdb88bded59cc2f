import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HatError } from './errors.ts';

/**
 * One key of a mounted Secret/ConfigMap (a file), without its trailing newline; undefined when absent. A key that is
 * there but cannot be read (e.g. a file mode the step's user may not read) is an error, never "absent": a signing key
 * silently skipped would mean unsigned commits.
 */
export async function readMountKey(dir: string | undefined, key: string): Promise<string | undefined> {
  if (dir === undefined) return undefined;
  const file = path.join(dir, key);
  try {
    return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new HatError(`key ${key} of the mounted ${dir} cannot be read (${code ?? (err as Error).message}): mount it readable by the step's user (uid ${process.getuid?.() ?? '?'})`);
  }
}
