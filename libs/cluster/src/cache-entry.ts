// The cluster builds live in the per-user cache of @hat/image (userCacheDir(): $HAT_CACHE_DIR, else
// $XDG_CACHE_HOME/hat, else ~/.cache/hat) under cluster/, written atomically by its cachedEntry().
import path from 'node:path';
import { cachedEntry, exists, userCacheDir } from '@hat/image';

export { exists };

export const clusterCacheDir = (cacheDir = userCacheDir()): string => path.join(cacheDir, 'cluster');

/** Returns `<dir>/<name>`, building it first when absent (cachedEntry: built beside it, renamed into place). */
export const cachedDir = (dir: string, name: string, build: (tempPath: string, scratch: string) => Promise<void>): Promise<{ path: string; built: boolean }> =>
  cachedEntry(name, build, dir);
