// The committed catalog against the current source: the newest version of every Task pins the image that the
// current source builds on HAT's bases (hat catalog verify --rebuild, bases rebuilt from the recipe), and the temp
// catalog that test:images published from the same source pins those same images.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG_DIR, publishedVersions, rebuildCatalog, rebuildSummary } from '@hat/catalog';
import { createLogger } from '@hat/task-runtime';
import { allTasks } from '../../cli/src/task-registry.ts';
import { writeRegistryAuthFile } from '../stack/index.ts';
import { injectImages } from './context.ts';
import { tempDir } from './helpers.ts';

const ctx = injectImages();

describe('the committed catalog', () => {
  it('rebuilds, bases included, to the digests its newest versions pin (hat catalog verify --rebuild)', async () => {
    const work = await tempDir('hat-rebuild-');
    const authFile = await writeRegistryAuthFile(ctx.stack.registry, path.join(work, 'auth.json'));
    const result = await rebuildCatalog({ definitions: allTasks, catalog: DEFAULT_CATALOG_DIR, registry: `${ctx.stack.registry.host}/rebuild`, plainHttp: true, authFile, log: createLogger({ write: () => undefined }) });
    const problems = result.versions.filter((v) => v.status === 'mismatch' || v.status === 'failed').map((v) => v.message);
    expect(problems, rebuildSummary(result)).toEqual([]);
    for (const task of allTasks) {
      const newest = (await publishedVersions(DEFAULT_CATALOG_DIR, task.name)).at(-1);
      const v = result.versions.find((r) => r.task === task.name && r.version === newest);
      expect(v?.status, `${task.name} ${newest}: ${v?.message} (the catalog is behind the source: publish it, see docs/catalog.md)`).toBe('ok');
    }
  });

  it('pins the same images that test:images published from the current source', async () => {
    for (const p of ctx.published) {
      const newest = (await publishedVersions(DEFAULT_CATALOG_DIR, p.task)).at(-1)!;
      const committed = await readFile(path.join(DEFAULT_CATALOG_DIR, 'tasks', p.task, newest, `${p.task}.yaml`), 'utf8');
      expect(committed).toContain(`@${p.image.slice(p.image.lastIndexOf('@') + 1)}`);
    }
  });
});
