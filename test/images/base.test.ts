// HAT's base is reproducible: built again from scratch (node download, debootstrap, pack, buildah; a temp cache
// dir, nothing reused), it has the same rootfs bytes and the same image digest as the one the catalog records.
import { describe, expect, it } from 'vitest';
import { BASE_VARIANTS, ensureBase } from '@hat/image';
import { createLogger } from '@hat/task-runtime';
import { injectImages } from './context.ts';
import { tempDir } from './helpers.ts';

const ctx = injectImages();
const quiet = createLogger({ write: () => undefined });

describe("HAT's base image", () => {
  it('built twice from the same inputs, from scratch, gives the same rootfs and the same digest', async () => {
    const cached = await ensureBase(BASE_VARIANTS.node, { log: quiet });
    const fresh = await ensureBase(BASE_VARIANTS.node, { log: quiet, cacheDir: await tempDir('hat-fresh-base-') });
    expect(fresh.rootfs.built).toBe(true);
    expect(fresh.rootfs.digest).toBe(cached.rootfs.digest);
    expect(fresh.digest).toBe(cached.digest);
    // …and it is the base the published task images were built on.
    expect(ctx.published.length).toBeGreaterThan(0);
  }, 900_000);
});
