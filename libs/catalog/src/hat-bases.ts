// HAT's own base images for publish and verify --rebuild: built from the rootfs recipe (libs/image, cached per
// user) and pushed with their digests preserved, so the catalog can record them under the registry name clusters
// pull from while the bytes go to the registry given with --registry.
import os from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { TaskDefinition } from '@hat/task-spec';
import type { Logger } from '@hat/task-runtime';
import { BASE_VARIANTS, ensureBase, pushArchive, type BaseVariant } from '@hat/image';

export interface HatBase {
  readonly variant: BaseVariant;
  readonly digest: string;
  /** `<record prefix>/hat/<repository>@sha256:…`: the name the catalog records (and task images name as FROM). */
  readonly named: string;
  /** `<push prefix>/hat/<repository>@sha256:…`: where the bytes are; undefined when not pushed (dry run). */
  readonly source: string | undefined;
}

export interface HatBaseOptions {
  readonly recordPrefix: string;
  /** Push the bases here (HOST[/PATH]); none: only build them (a dry run needs their digests). */
  readonly pushPrefix?: string | undefined;
  /** Repository path under the push prefix (publish: hat, verify --rebuild: hat-rebuild). */
  readonly pushPath?: string;
  readonly tlsVerify: boolean;
  readonly authFile?: string | undefined;
  readonly log: Logger;
  /** Build in this cache dir instead of the user's (verify --rebuild --fresh-base: a temp dir, nothing reused). */
  readonly cacheDir?: string | undefined;
}

/** The variants the definitions' programs are built on. */
export const variantsOf = (definitions: readonly TaskDefinition[]): BaseVariant[] => [...new Set(definitions.map((d) => d.base))].sort().map((name) => BASE_VARIANTS[name]);

/** A HAT base recorded in a catalog: `…/hat/base@sha256:…` or `…/hat/base-buildah@sha256:…`. */
export function hatBaseVariantOf(recorded: string): BaseVariant | undefined {
  const repo = recorded.slice(0, recorded.lastIndexOf('@'));
  return Object.values(BASE_VARIANTS).find((v) => repo.endsWith(`/hat/${v.repository}`));
}

export async function hatBases(variants: readonly BaseVariant[], opts: HatBaseOptions): Promise<Map<BaseVariant['name'], HatBase>> {
  const out = new Map<BaseVariant['name'], HatBase>();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'hat-bases-'));
  try {
    for (const variant of variants) {
      const image = await ensureBase(variant, { log: opts.log, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) });
      let source: string | undefined;
      if (opts.pushPrefix) {
        const repo = `${opts.pushPrefix}/${opts.pushPath ?? 'hat'}/${variant.repository}`;
        const pushed = await opts.log.time(`pushed base ${repo}:${image.rootfs.key}`, () =>
          pushArchive(image.archive, variant.name, `${repo}:${image.rootfs.key}`, { tlsVerify: opts.tlsVerify, authFile: opts.authFile }, scratch),
        );
        if (pushed !== image.digest) throw new Error(`base ${variant.name}: pushed as ${pushed}, built as ${image.digest} (digests must be preserved)`);
        source = `${repo}@${image.digest}`;
      }
      out.set(variant.name, { variant, digest: image.digest, named: `${opts.recordPrefix}/hat/${variant.repository}@${image.digest}`, source });
    }
    return out;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
