// One call for the cluster's programs: every component (or the ones asked for), each built once per version and
// toolchain into the per-user cache, one after the other (a Go build already uses every core).
import { createLogger, type Logger } from '@hat/task-runtime';
import { ensureComponent, type ComponentBuild } from './build-component.ts';
import { COMPONENTS, type ComponentName } from './components.ts';

export interface ClusterBinariesOptions {
  readonly log?: Logger;
  /** Default: all of COMPONENTS. */
  readonly components?: readonly ComponentName[];
  /** Default: userCacheDir() of @hat/image. */
  readonly cacheDir?: string;
  /** Re-check the versions of cached binaries too. */
  readonly verify?: boolean;
}

export type ClusterBinaries = Partial<Record<ComponentName, ComponentBuild>>;

export async function ensureClusterBinaries(opts: ClusterBinariesOptions = {}): Promise<ClusterBinaries> {
  const log = opts.log ?? createLogger({ prefix: 'cluster' });
  const out: ClusterBinaries = {};
  for (const name of opts.components ?? COMPONENTS) {
    out[name] = await ensureComponent(name, {
      log,
      ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
      ...(opts.verify !== undefined ? { verify: opts.verify } : {}),
    });
  }
  return out;
}
