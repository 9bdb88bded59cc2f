// hat catalog publish against the real registry (htpasswd, plain HTTP) with real buildah, into a temp catalog.
// The steps build on each other: first publish, no-change publish, a breaking change, a compatible change.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineTask } from '@hat/task-spec';
import { createLogger } from '@hat/task-runtime';
import { createPushSession, readTektonBundle } from '@hat/oci';
import { getManifest, getManifestDigest, startRegistry, writeRegistryAuthFile, type Registry } from '../../../test/stack/index.ts';
import { publishCatalog, type PublishOptions } from '../src/publish.ts';
import { verifyCatalog } from '../src/verify.ts';
import { validateFiles } from '../src/validate.ts';
import { fakeDefinitions, fakePrograms, pushStandInBase, snapshot } from './helpers.ts';

describe('hat catalog publish (real registry, real buildah)', () => {
  let registry: Registry;
  let work: string;
  let catalog: string;
  let options: Omit<PublishOptions, 'definitions'>;
  const logs: string[] = [];
  const taskYaml = async (task: string, version: string) => parse(await readFile(path.join(catalog, 'tasks', task, version, `${task}.yaml`), 'utf8')) as {
    metadata: { annotations: Record<string, string> };
    spec: { params: Array<{ name: string }>; steps: Array<{ image: string }> };
  };
  const imageOf = async (task: string, version: string) => (await taskYaml(task, version)).spec.steps[0]!.image;
  const bundleOf = async (task: string, version: string) =>
    String((parse(await readFile(path.join(catalog, 'tasks', task, version, 'artifacthub-pkg.yml'), 'utf8')) as { annotations: Record<string, string> }).annotations['hat.dev/bundle']);
  /** repo:tag@digest → [repository inside the registry, tag, digest] */
  const split = (ref: string): [string, string, string] => {
    const m = /^[^/]+\/(.+):([^:@]+)@(sha256:[0-9a-f]{64})$/.exec(ref);
    if (!m) throw new Error(`not repo:tag@digest: ${ref}`);
    return [m[1]!, m[2]!, m[3]!];
  };

  beforeAll(async () => {
    registry = await startRegistry();
    work = await mkdtemp(path.join(os.tmpdir(), 'hat-catalog-publish-'));
    catalog = path.join(work, 'catalog');
    const authFile = await writeRegistryAuthFile(registry, path.join(work, 'auth.json'));
    const base = await pushStandInBase(registry, authFile);
    options = {
      catalog,
      registry: `${registry.host}/ci`,
      base,
      plainHttp: true,
      authFile,
      programFile: await fakePrograms(path.join(work, 'programs'), { alpha: 'console.log("alpha");\n', beta: 'console.log("beta");\n' }),
      programReadme: async () => undefined,
      ownDockerfile: async () => undefined,
      now: () => new Date('2025-01-02T03:04:05Z'),
      log: createLogger({ write: (line) => logs.push(line) }),
    };
  });
  afterAll(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('publishes 1.0.0 of every Task: images and bundles pinned by the digests the registry holds, one image per program', async () => {
    const result = await publishCatalog({ ...options, definitions: fakeDefinitions() });
    expect(result.published.map((p) => `${p.task} ${p.version}`)).toEqual(['alpha-one 1.0.0', 'alpha-two 1.0.0', 'beta 1.0.0']);
    for (const task of ['alpha-one', 'alpha-two', 'beta']) {
      const [repo, tag, digest] = split(await imageOf(task, '1.0.0'));
      expect(await getManifestDigest(registry, repo, tag)).toBe(digest);
      expect(await getManifestDigest(registry, repo, digest)).toBe(digest);
      const [bundleRepo, bundleTag, bundleDigest] = split(await bundleOf(task, '1.0.0'));
      expect(bundleRepo).toBe(`ci/hat/catalog/${task}`);
      expect(await getManifestDigest(registry, bundleRepo, bundleTag)).toBe(bundleDigest);
    }
    expect(await imageOf('alpha-one', '1.0.0')).toBe(await imageOf('alpha-two', '1.0.0'));
    expect(await imageOf('alpha-one', '1.0.0')).toMatch(new RegExp(`^${registry.host}/ci/hat/alpha:1\\.0\\.0@sha256:`));
    // Built once per program, for the platform the Task claims (tekton.dev/platforms); the image is an index of it.
    expect(logs.filter((l) => l.startsWith('built alpha for ')).map((l) => l.replace(/ \(\d+ ms\)$/, ''))).toEqual(['built alpha for linux/amd64']);
    const [repo, , digest] = split(await imageOf('beta', '1.0.0'));
    const index = JSON.parse((await getManifest(registry, repo, digest))!.body) as { manifests: Array<{ platform: { architecture: string } }> };
    expect(index.manifests.map((m) => m.platform.architecture)).toEqual(['amd64']);
    expect(await readFile(path.join(catalog, 'install', 'v1', 'kustomization.yaml'), 'utf8')).toContain('nameSuffix: -v1');
  });

  it('the bundle reads back from the registry as Tekton reads it: one tar layer holding the published Task', async () => {
    const [repo, tag, digest] = split(await bundleOf('beta', '1.0.0'));
    const session = createPushSession({ registry: registry.host, credential: { kind: 'basic', username: registry.username, password: registry.password }, tlsVerify: false });
    const bundle = await readTektonBundle(session, repo, tag);
    expect(bundle?.digest).toBe(digest);
    expect(bundle?.resources).toHaveLength(1);
    const [layer] = bundle!.resources;
    expect(layer!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
    expect(layer!.annotations).toEqual({ 'dev.tekton.image.apiVersion': 'tekton.dev/v1', 'dev.tekton.image.kind': 'task', 'dev.tekton.image.name': 'beta' });
    expect(layer!.content.equals(await readFile(path.join(catalog, 'tasks', 'beta', '1.0.0', 'beta.yaml')))).toBe(true);
    // A third-party client (containers/image via skopeo) reads the same manifest.
    const { stdout } = await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', `${registry.username}:${registry.password}`, `docker://${registry.host}/${repo}@${digest}`]);
    expect(JSON.parse(stdout)).toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [{ annotations: { 'dev.tekton.image.name': 'beta' } }] });
  });

  it('publishing again with no change publishes nothing, builds nothing and changes no byte', async () => {
    const before = await snapshot(catalog);
    logs.length = 0;
    const result = await publishCatalog({ ...options, definitions: fakeDefinitions() });
    expect(result.published).toEqual([]);
    expect(result.plans.every((p) => p.change === undefined)).toBe(true);
    expect(logs.filter((l) => l.startsWith('built '))).toEqual([]);
    expect(await snapshot(catalog)).toEqual(before);
  });

  it('removing a param publishes a new major beside the old one, which stays byte-identical; both majors are installed', async () => {
    const before = await snapshot(path.join(catalog, 'tasks'));
    const dry = await publishCatalog({ ...options, definitions: fakeDefinitions({ betaWithoutLoud: true }), dryRun: true });
    expect(dry.plans.find((p) => p.def.name === 'beta')?.change).toEqual({ version: '2.0.0', bump: 'major', reasons: ['major: param loud removed'] });
    expect(await snapshot(path.join(catalog, 'tasks'))).toEqual(before);

    const result = await publishCatalog({ ...options, definitions: fakeDefinitions({ betaWithoutLoud: true }) });
    expect(result.published.map((p) => `${p.task} ${p.version}`)).toEqual(['beta 2.0.0']);
    const after = await snapshot(path.join(catalog, 'tasks'));
    for (const [file, bytes] of before) expect(after.get(file)?.equals(bytes), file).toBe(true);
    expect((await taskYaml('beta', '2.0.0')).spec.params.map((p) => p.name)).toEqual(['who']);
    // Same program, same base: the rebuilt image has the same digest (reproducible build), under a new tag.
    expect(split(await imageOf('beta', '2.0.0'))[2]).toBe(split(await imageOf('beta', '1.0.0'))[2]);
    expect(await readFile(path.join(catalog, 'kustomization.yaml'), 'utf8')).toMatch(/resources:\n {2}- install\/v1\n {2}- install\/v2\n/);
    expect(await readFile(path.join(catalog, 'install', 'v2', 'kustomization.yaml'), 'utf8')).toContain('- ../../tasks/beta/2.0.0');
    expect(await readFile(path.join(catalog, 'install', 'v1', 'kustomization.yaml'), 'utf8')).toContain('- ../../tasks/beta/1.0.0');
  });

  it('a param added with a default is a minor; changed code is a patch for every Task of the program', async () => {
    const result = await publishCatalog({ ...options, definitions: fakeDefinitions({ betaWithoutLoud: true, alphaOneWithColour: true }) });
    expect(result.published.map((p) => `${p.task} ${p.version}`)).toEqual(['alpha-one 1.1.0']);
    expect(result.plans.find((p) => p.def.name === 'alpha-one')?.change?.reasons).toEqual(['minor: param colour added (default "blue")']);
    const programFile = await fakePrograms(path.join(work, 'programs-2'), { alpha: 'console.log("alpha, fixed");\n', beta: 'console.log("beta");\n' });
    const patched = await publishCatalog({ ...options, programFile, definitions: fakeDefinitions({ betaWithoutLoud: true, alphaOneWithColour: true }) });
    expect(patched.published.map((p) => `${p.task} ${p.version}`)).toEqual(['alpha-one 1.1.1', 'alpha-two 1.0.1']);
    expect(patched.plans.find((p) => p.def.name === 'alpha-two')?.change?.reasons).toEqual(['patch: program tasks/alpha changed']);
    expect(split(await imageOf('alpha-one', '1.1.1'))[2]).toBe(split(await imageOf('alpha-two', '1.0.1'))[2]);
    expect(split(await imageOf('alpha-one', '1.1.1'))[2]).not.toBe(split(await imageOf('alpha-one', '1.1.0'))[2]);
  });

  it("a program with its own Dockerfile is built from it instead of Dockerfile.task, unless --base-for names it", async () => {
    const gamma = defineTask({
      name: 'gamma',
      displayName: 'Gamma',
      description: 'Has its own image.',
      categories: ['Testing'],
      tags: ['test'],
      params: z.object({ who: z.string().describe('Whom to greet.') }),
      results: {},
    });
    const own = path.join(work, 'gamma', 'Dockerfile');
    await mkdir(path.dirname(own), { recursive: true });
    await writeFile(own, `FROM ${options.base}\nARG PROGRAM\nCOPY tasks/\${PROGRAM}/dist/task.mjs /opt/gamma/own.mjs\n`);
    const gammaOptions = {
      ...options,
      catalog: path.join(work, 'catalog-gamma'),
      programFile: await fakePrograms(path.join(work, 'programs-gamma'), { gamma: 'console.log("gamma");\n' }),
      ownDockerfile: async (program: string) => (program === 'gamma' ? own : undefined),
    };
    const result = await publishCatalog({ ...gammaOptions, definitions: [gamma] });
    const file = await readFile(path.join(gammaOptions.catalog, 'tasks', 'gamma', '1.0.0', 'gamma.yaml'), 'utf8');
    expect(file).toMatch(/hat\.dev\/base-image: tasks\/gamma\/Dockerfile@sha256:[0-9a-f]{64}\n/);
    const [, , digest] = split(result.published[0]!.image);
    const { stdout } = await execa('skopeo', ['inspect', '--config', '--tls-verify=false', '--creds', `${registry.username}:${registry.password}`, `docker://${registry.host}/ci/hat/gamma@${digest}`]);
    expect(stdout).toContain('/opt/gamma/own.mjs');
    const dry = await publishCatalog({ ...gammaOptions, definitions: [gamma], baseFor: { gamma: options.base! }, dryRun: true });
    expect(dry.plans[0]?.change?.reasons).toEqual([expect.stringMatching(/^patch: image built from .*stand-in-base@sha256:[0-9a-f]{64} \(was tasks\/gamma\/Dockerfile@sha256:/)]);
  });

  it('the result passes hat catalog verify, and kustomize renders both majors side by side as valid Tekton', async () => {
    const verify = await verifyCatalog(catalog);
    expect(verify.problems).toEqual([]);
    expect(verify.versions).toBe(7);
    const rendered = path.join(work, 'rendered.yaml');
    const { stdout } = await execa('kustomize', ['build', catalog]);
    await writeFile(rendered, stdout);
    const names = stdout.split('\n').filter((l) => /^ {2}name: /.test(l)).map((l) => l.trim().slice(6));
    expect(names.sort()).toEqual(['alpha-one-v1', 'alpha-two-v1', 'beta-v1', 'beta-v2']);
    expect(stdout).toContain('app.kubernetes.io/version: 1.1.1');
    expect(await validateFiles([rendered])).toMatchObject({ ok: true, problems: [] });
  });
});
