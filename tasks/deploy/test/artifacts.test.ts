// Artifacts checked before the deploy commit, against the real registry and git server: the image and the chart the
// pipeline reports must be in the registry at the version with those digests; otherwise exit 2 and nothing pushed.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushSession, pushTektonBundle } from '@hat/oci';
import { repoRoot } from '@hat/task-runner';
import { startGitServer, startRegistry, type GitRepo, type GitServer, type Registry } from '../../../test/stack/index.ts';
import { appValues, bare, envObjects, runDeploy, tempDir } from './helpers.ts';

const CRED = { username: 'deploy-prod', password: 'prod-Secret-6021' };
let server: GitServer;
let registry: Registry;
let repo: GitRepo;
const digests: Record<string, string> = {};

const chartYaml = (host: string) => ['apiVersion: v2', 'name: web', 'version: 0.1.0', 'dependencies:', '  - name: web', '    version: 1.0.0', `    repository: oci://${host}/charts`, ''].join('\n');

beforeAll(async () => {
  [server, registry] = await Promise.all([startGitServer(), startRegistry()]);
  repo = await server.createRepo('gitops-prod', CRED);
  await server.seedRepo('gitops-prod', { 'apps/web/Chart.yaml': chartYaml(registry.host), 'apps/web/values.yaml': appValues('web', '1.0.0') }, 'scaffold');
  // Stand-ins for what build-image and helm-package-push push: one manifest per repository and version.
  const session = createPushSession({ registry: registry.host, credential: { kind: 'basic', username: registry.username, password: registry.password }, tlsVerify: false });
  for (const version of ['1.1.0', '1.2.0']) {
    for (const repository of ['apps/web', 'charts/web']) {
      digests[`${repository}:${version}`] = await pushTektonBundle(session, repository, version, [{ apiVersion: 'v1', kind: 'ConfigMap', name: `${repository.replace('/', '-')}-${version}`, content: Buffer.from(`${repository} ${version}\n`) }]);
    }
  }
});
afterAll(async () => {
  await Promise.all([server?.stop(), registry?.stop()]);
});

async function objects(registryPassword = registry.password) {
  const o = await envObjects('prod', repo, CRED);
  await writeFile(path.join(o.secret, 'registry-username'), registry.username);
  await writeFile(path.join(o.secret, 'registry-password'), registryPassword);
  return o;
}
const params = (version: string, over: Record<string, string> = {}) => ({
  app: 'web',
  version,
  'image-repository': `${registry.host}/apps/web`,
  'image-digest': digests[`apps/web:${version}`] ?? `sha256:${'0'.repeat(64)}`,
  'chart-digest': digests[`charts/web:${version}`] ?? `sha256:${'0'.repeat(64)}`,
  'tls-verify': 'false',
  ...over,
});

describe('artifacts checked before the deploy commit', () => {
  it('the image and the chart at the version with the reported digests: deployed, the checks in the log', async () => {
    const r = await runDeploy('prod', await objects(), params('1.1.0'));
    expect(r.exitCode, r.log).toBe(0);
    expect(r.log).toContain(`image-digest: ${registry.host}/apps/web:1.1.0 is ${digests['apps/web:1.1.0']}`);
    expect(r.log).toContain(`chart-digest: ${registry.host}/charts/web:1.1.0 is ${digests['charts/web:1.1.0']}`);
    expect(r.log).not.toContain(registry.password);
  });

  it('another digest, a missing artifact, a digest of the wrong form, refused registry credentials: one line each, nothing pushed', async () => {
    const head = await bare(server, repo).head();
    const wrong = await runDeploy('prod', await objects(), params('1.2.0', { 'image-digest': digests['apps/web:1.1.0']! }));
    expect([wrong.exitCode, wrong.errorLine]).toEqual([2, `error: image-digest: ${registry.host}/apps/web:1.2.0 is ${digests['apps/web:1.2.0']} in the registry, not ${digests['apps/web:1.1.0']}; nothing pushed`]);
    const missing = await runDeploy('prod', await objects(), params('1.3.0', { 'image-digest': '' }));
    expect([missing.exitCode, missing.errorLine]).toEqual([2, `error: chart-digest: ${registry.host}/charts/web:1.3.0 is not in the registry (expected sha256:${'0'.repeat(64)}); nothing pushed`]);
    // The repository grammar is the registry's: a--b is a valid path component (the pipeline chart allows it too).
    expect((await runDeploy('prod', await objects(), params('1.2.0', { 'image-repository': `${registry.host}/shop/my--web` }))).errorLine).toBe(
      `error: image-digest: ${registry.host}/shop/my--web:1.2.0 is not in the registry (expected ${digests['apps/web:1.2.0']}); nothing pushed`,
    );
    const repoForm = await runDeploy('prod', await objects(), params('1.2.0', { 'image-repository': `${registry.host}/apps/web:1.2.0` }));
    expect(repoForm.exitCode).toBe(2);
    expect(repoForm.errorLine).toMatch(/image-repository.*an image repository without tag or digest/);
    const form = await runDeploy('prod', await objects(), params('1.2.0', { 'chart-digest': 'sha256:abc' }));
    expect(form.exitCode).toBe(2);
    expect(form.errorLine).toMatch(/^error: .*chart-digest.*a digest: sha256: and 64 lower-case hex digits/);
    const refused = await runDeploy('prod', await objects('not-the-registry-password'), params('1.2.0'));
    expect(refused.exitCode).toBe(1);
    expect(refused.errorLine).toMatch(new RegExp(`^error: image-digest: cannot check ${registry.host.replace(/\./g, '\\.')}/apps/web:1\\.2\\.0: .*; read access comes from Secret hat-gitops-prod keys registry-username and registry-password$`));
    expect(refused.log).not.toContain('not-the-registry-password');
    expect(await bare(server, repo).head()).toBe(head);
  });

  it('hat deploy --image-repository --image-digest --chart-digest: the same checks from a laptop', async () => {
    const home = await tempDir('hat-artifacts-home-');
    const hat = (...args: string[]) =>
      execa(process.execPath, [path.join(repoRoot, 'cli/bin/hat.mjs'), ...args], { reject: false, env: { HOME: home, HAT_GIT_USERNAME: CRED.username, HAT_GIT_PASSWORD: CRED.password, HAT_REGISTRY_USERNAME: registry.username, HAT_REGISTRY_PASSWORD: registry.password, GIT_AUTHOR_NAME: 'Sam', GIT_AUTHOR_EMAIL: 's@x' } });
    const common = ['--env', 'prod', '--repo', repo.url, '--image-repository', `${registry.host}/apps/web`, '--insecure-registry'];
    const no = await hat('deploy', 'web', '1.2.0', ...common, '--image-digest', digests['apps/web:1.1.0']!);
    expect([no.exitCode, no.stderr.trim().split('\n').at(-1)]).toEqual([2, `error: image-digest: ${registry.host}/apps/web:1.2.0 is ${digests['apps/web:1.2.0']} in the registry, not ${digests['apps/web:1.1.0']}; nothing pushed`]);
    const ok = await hat('deploy', 'web', '1.2.0', ...common, '--image-digest', digests['apps/web:1.2.0']!, '--chart-digest', digests['charts/web:1.2.0']!);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(await bare(server, repo).log('-1', '--format=%B')).toContain(`Hat-Image-Digest: ${digests['apps/web:1.2.0']}`);
  });
});
