// hat catalog verify --rebuild against real registries with real buildah: publish into a temp catalog, rebuild
// every version to its pinned digest, rebuild from a fresh registry with the original one down, a tampered copy,
// a wrong base, changed program code.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@hat/task-runtime';
import { getManifestDigest, registryAuthJson, startRegistry, type Registry } from '../../../test/stack/index.ts';
import { publishCatalog } from '../src/publish.ts';
import { formatRebuilt, rebuildCatalog, rebuildSummary, type RebuildOptions, type RebuildResult } from '../src/verify-rebuild.ts';
import { fakeDefinitions, fakePrograms, pushStandInBase } from './helpers.ts';

describe('hat catalog verify --rebuild (real registries, real buildah)', () => {
  let original: Registry; // where the catalog was published and its base lives
  let fresh: Registry; // another registry, as after the original one is gone
  let work: string;
  let catalog: string;
  let base: string;
  let options: Omit<RebuildOptions, 'registry'>;
  const logs: string[] = [];
  const lines = (r: RebuildResult): string[] => r.versions.map(formatRebuilt);
  const pinnedDigest = async (dir: string, task: string, version: string): Promise<string> =>
    /^ +image: \S+@(sha256:[0-9a-f]{64})$/m.exec(await readFile(path.join(dir, 'tasks', task, version, `${task}.yaml`), 'utf8'))![1]!;
  const builds = (): string[] => logs.filter((l) => l.startsWith('built ')).map((l) => l.replace(/ \(\d+ ms\)$/, ''));

  beforeAll(async () => {
    original = await startRegistry();
    fresh = await startRegistry();
    work = await mkdtemp(path.join(os.tmpdir(), 'hat-catalog-rebuild-'));
    catalog = path.join(work, 'catalog');
    const authFile = path.join(work, 'auth.json');
    const auths = (r: Registry) => (JSON.parse(registryAuthJson(r)) as { auths: object }).auths;
    await writeFile(authFile, JSON.stringify({ auths: { ...auths(original), ...auths(fresh) } }));
    base = await pushStandInBase(original, authFile);
    const programFile = await fakePrograms(path.join(work, 'programs'), { alpha: 'console.log("alpha");\n', beta: 'console.log("beta");\n' });
    const log = createLogger({ write: (line) => logs.push(line) });
    const common = { catalog, plainHttp: true, authFile, programFile, ownDockerfile: async () => undefined, log };
    await publishCatalog({ ...common, definitions: fakeDefinitions(), registry: `${original.host}/ci`, base, programReadme: async () => undefined });
    options = { ...common, definitions: fakeDefinitions() };
  });
  afterAll(async () => {
    await original?.stop();
    await fresh?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('rebuilds every version from its recorded base to the digest it pins, once per program', async () => {
    logs.length = 0;
    const result = await rebuildCatalog({ ...options, registry: `${original.host}/ci` });
    const alpha = await pinnedDigest(catalog, 'alpha-one', '1.0.0');
    const beta = await pinnedDigest(catalog, 'beta', '1.0.0');
    expect(lines(result)).toEqual([`alpha-one 1.0.0: ok ${alpha}`, `alpha-two 1.0.0: ok ${alpha}`, `beta 1.0.0: ok ${beta}`]);
    expect(result.ok).toBe(true);
    expect(rebuildSummary(result)).toBe('rebuild: 3 ok, 0 skipped, 0 mismatch(es), 0 failed (2 image(s) built)');
    expect(builds()).toEqual(['built alpha for linux/amd64', 'built beta for linux/amd64']);
    // Pushed beside the catalog's repositories, never into them.
    expect(await getManifestDigest(original, 'ci/hat-rebuild/alpha', '1.0.0')).toBe(alpha);
  });

  it('the stand-in base rebuilds to the same digest in a fresh registry; from there, with the original registry down, a tampered pin is a mismatch naming the file', async () => {
    const again = await pushStandInBase(fresh, options.authFile!);
    expect(again.split('@')[1]).toBe(base.split('@')[1]);
    // A copy with alpha only, one of its pins changed (to beta's image).
    const tampered = path.join(work, 'tampered');
    await cp(path.join(catalog, 'tasks', 'alpha-one'), path.join(tampered, 'tasks', 'alpha-one'), { recursive: true });
    await cp(path.join(catalog, 'tasks', 'alpha-two'), path.join(tampered, 'tasks', 'alpha-two'), { recursive: true });
    const file = path.join(tampered, 'tasks', 'alpha-two', '1.0.0', 'alpha-two.yaml');
    const alpha = await pinnedDigest(catalog, 'alpha-two', '1.0.0');
    const beta = await pinnedDigest(catalog, 'beta', '1.0.0');
    await writeFile(file, (await readFile(file, 'utf8')).replaceAll(alpha, beta));

    await original.pause();
    try {
      logs.length = 0;
      const result = await rebuildCatalog({ ...options, catalog: tampered, registry: fresh.host, base: again, display: (f) => path.relative(work, f) });
      expect(lines(result)).toEqual([
        `alpha-one 1.0.0: ok ${alpha}`,
        `alpha-two 1.0.0: MISMATCH tampered/tasks/alpha-two/1.0.0/alpha-two.yaml: the image pins ${beta}, the rebuild gives ${alpha}`,
      ]);
      expect(result.ok).toBe(false);
      expect(builds()).toEqual(['built alpha for linux/amd64']);

      // A base with another digest than the recorded one is refused, naming both; nothing is built.
      const other = `${fresh.host}/hat/other@sha256:${'1'.repeat(64)}`;
      logs.length = 0;
      const wrong = await rebuildCatalog({ ...options, catalog: tampered, registry: fresh.host, baseFor: { alpha: other }, display: (f) => path.relative(work, f) });
      expect(lines(wrong)[0]).toBe(
        `alpha-one 1.0.0: FAILED: tampered/tasks/alpha-one/1.0.0/alpha-one.yaml: built on ${base} (hat.dev/base-image); --base-for alpha=${other} is another image (the base must have the recorded digest)`,
      );
      expect(wrong.versions.map((v) => v.status)).toEqual(['failed', 'failed']);
      expect(builds()).toEqual([]);
      // Without the --base, the recorded base is unreachable: a build failure, not a pass.
      const down = await rebuildCatalog({ ...options, catalog: tampered, registry: fresh.host });
      expect(down.versions.map((v) => v.status)).toEqual(['failed', 'failed']);
      expect(down.versions[0]!.message).toMatch(/^FAILED: .*alpha-one\.yaml: rebuild failed: /);
    } finally {
      await original.resume();
    }
  });

  it('a version whose source changed is skipped (not failed), naming the next version; the others still rebuild', async () => {
    const programFile = await fakePrograms(path.join(work, 'programs-2'), { alpha: 'console.log("alpha, fixed");\n', beta: 'console.log("beta");\n' });
    logs.length = 0;
    const result = await rebuildCatalog({ ...options, programFile, registry: fresh.host, base: `${fresh.host}/hat/stand-in-base@${base.split('@')[1]}` });
    expect(lines(result)).toEqual([
      'alpha-one 1.0.0: skipped: source changed since it was published (the next publish makes 1.0.1)',
      'alpha-two 1.0.0: skipped: source changed since it was published (the next publish makes 1.0.1)',
      `beta 1.0.0: ok ${await pinnedDigest(catalog, 'beta', '1.0.0')}`,
    ]);
    expect(result.ok).toBe(true);
    expect(builds()).toEqual(['built beta for linux/amd64']);
    // A Task that is no longer defined is skipped too.
    const gone = await rebuildCatalog({ ...options, definitions: fakeDefinitions().filter((d) => d.name !== 'beta'), programFile, registry: fresh.host });
    expect(lines(gone).at(-1)).toBe('beta 1.0.0: skipped: no Task beta in the task registry (nothing to rebuild from)');
  });
});
