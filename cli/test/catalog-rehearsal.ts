// Publishes the committed catalog where the real base cannot be built (see docs/catalog.md, "The committed
// catalog"): a registry from test/stack that lives only for this run, the stand-in base (FROM scratch) for every
// program, and ghcr.io/hat-project recorded as the registry name. Run: npx tsx cli/test/catalog-rehearsal.ts
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startRegistry, writeRegistryAuthFile } from '../../test/stack/index.ts';
import { DEFAULT_CATALOG_DIR } from '../src/catalog/layout.ts';
import { publishCatalog } from '../src/catalog/publish.ts';
import { allTasks } from '../src/task-registry.ts';
import { pushStandInBase } from './catalog-helpers.ts';

const RECORDED_REGISTRY = 'ghcr.io/hat-project';

const registry = await startRegistry();
const work = await mkdtemp(path.join(os.tmpdir(), 'hat-catalog-rehearsal-'));
try {
  const authFile = await writeRegistryAuthFile(registry, path.join(work, 'auth.json'));
  const base = await pushStandInBase(registry, authFile);
  const result = await publishCatalog({
    definitions: allTasks,
    catalog: DEFAULT_CATALOG_DIR,
    registry: `${registry.host}/hat-project`,
    recordRegistry: RECORDED_REGISTRY,
    base,
    // build-image has its own Dockerfile (Node + buildah), which cannot be built here either.
    baseFor: Object.fromEntries([...new Set(allTasks.map((t) => t.program))].map((p) => [p, base])),
    plainHttp: true,
    authFile,
  });
  for (const p of result.plans) process.stdout.write(`${p.def.name.padEnd(20)} ${p.change ? `${p.previous?.version ?? '-'} → ${p.change.version} (${p.change.reasons.join('; ')})` : `${p.previous?.version} unchanged`}\n`);
  process.stdout.write(`stand-in base ${base} (registry ${registry.host}, gone after this run)\n`);
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
