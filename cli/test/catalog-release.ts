// Publishes the committed catalog: HAT's bases built here from the rootfs recipe, every task image on them, pushed
// to a registry from test/stack that lives only for this run, and ghcr.io/hat-project recorded as the registry
// name (the digests are the record; `hat catalog verify --rebuild` reproduces them). Run as root:
//   npx tsx cli/test/catalog-release.ts
// SREs publishing to their own registry run `npx hat catalog publish --registry HOST/PATH` instead.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CATALOG_DIR, publishCatalog } from '@hat/catalog';
import { startRegistry, writeRegistryAuthFile } from '../../test/stack/index.ts';
import { allTasks } from '../src/task-registry.ts';

export const RECORDED_REGISTRY = 'ghcr.io/hat-project';

const registry = await startRegistry();
const work = await mkdtemp(path.join(os.tmpdir(), 'hat-catalog-release-'));
try {
  const authFile = await writeRegistryAuthFile(registry, path.join(work, 'auth.json'));
  const result = await publishCatalog({
    definitions: allTasks,
    catalog: DEFAULT_CATALOG_DIR,
    registry: `${registry.host}/hat-project`,
    recordRegistry: RECORDED_REGISTRY,
    plainHttp: true,
    authFile,
  });
  for (const p of result.plans) process.stdout.write(`${p.def.name.padEnd(20)} ${p.change ? `${p.previous?.version ?? '-'} → ${p.change.version} (${p.change.reasons.join('; ')})` : `${p.previous?.version} unchanged`}\n`);
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
