// The cluster builds live in the per-user cache of @hat/image (userCacheDir(): $HAT_CACHE_DIR, else
// $XDG_CACHE_HOME/hat, else ~/.cache/hat) under cluster/, written atomically by its cachedEntry().
import path from 'node:path';
import { userCacheDir } from '@hat/image';

export const clusterCacheDir = (cacheDir = userCacheDir()): string => path.join(cacheDir, 'cluster');
