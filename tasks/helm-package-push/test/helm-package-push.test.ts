import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHelmHome, dependencyBuild, pull, readTarGz, registryLogin, showChart, template } from '@hat/helm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parse } from 'yaml';
import { getManifestDigest, startRegistry, type Registry } from '../../../test/stack/index.ts';
import { appWorkspace, runPush, tempDir } from './fixture.ts';

let registry: Registry;

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

/** A helm home of its own, logged in: what another machine (ArgoCD, a person) would use. */
async function otherHelmHome() {
  const home = await createHelmHome();
  onTestFinished(() => home.dispose());
  await registryLogin(registry.host, { home, username: registry.username, password: registry.password, plainHttp: true });
  return home;
}

const expectNoSecret = (text: string): void => {
  expect(text).not.toContain(registry.password);
  expect(text).not.toContain(Buffer.from(`${registry.username}:${registry.password}`).toString('base64'));
};

describe('helm-package-push', () => {
  it('pushes the chart with version = appVersion = the input, and the image repository and tag in its values', async () => {
    const { source, chartDir } = await appWorkspace('shop');
    const chartBefore = await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8');
    const version = '1.4.1-main.3.gab12cd3';
    const imageRepository = `${registry.host}/shop/api`;
    const result = await runPush({ source, registry, version, params: { 'image-repository': imageRepository } });
    expect(result.exitCode, result.log).toBe(0);
    const digest = await getManifestDigest(registry, 'charts/shop', version);
    expect(result.results).toEqual({
      'chart-ref': `oci://${registry.host}/charts/shop:${version}`,
      'chart-digest': digest,
      pushed: 'true',
      ARTIFACT_URI: `${registry.host}/charts/shop`,
      ARTIFACT_DIGEST: digest,
    });
    expectNoSecret(result.log);
    expectNoSecret(JSON.stringify(result.results));
    // Nothing is written back into the workspace.
    expect(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')).toBe(chartBefore);

    const home = await otherHelmHome();
    const meta = await showChart(`oci://${registry.host}/charts/shop`, { home, version, plainHttp: true });
    expect(meta).toMatchObject({ name: 'shop', version, appVersion: version });
    const pulled = await pull(`oci://${registry.host}/charts/shop`, { home, version, plainHttp: true, destination: await tempDir() });
    expect(pulled.digest).toBe(digest);
    const files = new Map((await readTarGz(await readFile(pulled.path))).map((f) => [f.path, f.data.toString('utf8')]));
    expect(parse(files.get('shop/Chart.yaml') ?? '')).toMatchObject({ version, appVersion: version });
    const values = files.get('shop/values.yaml') ?? '';
    expect(parse(values)).toMatchObject({ image: { repository: imageRepository, tag: version, pullPolicy: 'IfNotPresent' } });
    // Only the two scalars changed: helm create's comments are all still there.
    const original = await readFile(path.join(chartDir, 'values.yaml'), 'utf8');
    expect(values).toBe(original.replace('repository: nginx', `repository: ${imageRepository}`).replace('tag: ""', `tag: "${version}"`));
  });

  it('refuses wrong or missing credentials, without showing them', async () => {
    const { source } = await appWorkspace('refused');
    const wrong = await runPush({ source, registry, version: '1.0.0', credentials: { username: registry.username, password: 'not-the-password-7c1e' } });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.errorLine).toMatch(/error: helm registry login to .*: authentication refused/);
    expect(wrong.log).not.toContain('not-the-password-7c1e');
    const none = await runPush({ source, registry, version: '1.0.0', credentials: null });
    expect(none.exitCode).toBe(1);
    expect(none.errorLine).toMatch(/authentication refused/);
    expect(await getManifestDigest(registry, 'charts/refused', '1.0.0')).toBeUndefined();
  });

  it('treats a re-push of the same content as a no-op, and refuses other content at the same version', async () => {
    const { source, chartDir } = await appWorkspace('immutable');
    const version = '2.0.0';
    const first = await runPush({ source, registry, version });
    expect(first.exitCode, first.log).toBe(0);
    const digest = await getManifestDigest(registry, 'charts/immutable', version);

    // helm package stamps archives with the time, so the second archive differs byte for byte; the content does not.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await runPush({ source, registry, version });
    expect(again.exitCode, again.log).toBe(0);
    expect(again.results).toMatchObject({ pushed: 'false', 'chart-digest': digest });
    expect(again.log).toMatch(/already in the registry with the same content/);
    expect(await getManifestDigest(registry, 'charts/immutable', version)).toBe(digest);

    await writeFile(path.join(chartDir, 'templates', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n');
    const changed = await runPush({ source, registry, version });
    expect(changed.exitCode).toBe(2);
    expect(changed.errorLine).toMatch(/already exists in the registry with different content \(\+ immutable\/templates\/configmap\.yaml\); chart versions are immutable/);
    expect(await getManifestDigest(registry, 'charts/immutable', version)).toBe(digest);
    // A new version of the changed chart goes through.
    const bumped = await runPush({ source, registry, version: '2.0.1' });
    expect(bumped.results['pushed']).toBe('true');
  });

  it('renders the way ArgoCD does: an umbrella chart depending on the pushed chart shows image <repository>:<version>', async () => {
    const { source } = await appWorkspace('web');
    const version = '0.3.1-release-0-3.2.g1234567';
    const imageRepository = `${registry.host}/web/app`;
    const pushed = await runPush({ source, registry, version, params: { 'image-repository': imageRepository } });
    expect(pushed.exitCode, pushed.log).toBe(0);

    const envApp = path.join(await tempDir('hat-env-'), 'apps', 'web');
    await mkdir(envApp, { recursive: true });
    await writeFile(
      path.join(envApp, 'Chart.yaml'),
      `apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies:\n  - name: web\n    version: ${version}\n    repository: oci://${registry.host}/charts\n`,
    );
    await writeFile(path.join(envApp, 'values.yaml'), `web:\n  image:\n    tag: ${version}\n  replicaCount: 2\n`);
    const home = await otherHelmHome();
    await dependencyBuild(envApp, { home, plainHttp: true });
    const manifests = await template(envApp, { home, releaseName: 'web', namespace: 'test' });
    expect(manifests).toContain(`image: "${imageRepository}:${version}"`);
    expect(manifests).toMatch(/replicas: 2/);
    expect(manifests).toContain(`helm.sh/chart: web-${version}`);
  });

  it('packages a chart with a local and an OCI dependency, and a re-push of it is still a no-op', async () => {
    const lib = await appWorkspace('base-lib');
    const libPush = await runPush({ source: lib.source, registry, version: '1.0.0' });
    expect(libPush.exitCode, libPush.log).toBe(0);

    const { source, chartDir } = await appWorkspace('composite', 'charts/composite');
    const common = await appWorkspace('common');
    const { cp } = await import('node:fs/promises');
    await cp(common.chartDir, path.join(source, 'charts', 'common'), { recursive: true });
    const chartYaml = path.join(chartDir, 'Chart.yaml');
    await writeFile(
      chartYaml,
      `${await readFile(chartYaml, 'utf8')}dependencies:\n  - name: common\n    version: 0.1.0\n    repository: file://../common\n  - name: base-lib\n    version: 1.0.0\n    repository: oci://${registry.host}/charts\n`,
    );
    const params = { chart: 'charts/composite' };
    const first = await runPush({ source, registry, version: '5.0.0', params });
    expect(first.exitCode, first.log).toBe(0);
    expect(first.log).toMatch(/dependency build \(2 dependencies\)/);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await runPush({ source, registry, version: '5.0.0', params });
    expect(again.exitCode, again.log).toBe(0);
    expect(again.results['pushed']).toBe('false');
  });

  describe('fails with one line that names what and why', () => {
    it('chart path missing', async () => {
      const { source } = await appWorkspace('x');
      const r = await runPush({ source, registry, version: '1.0.0', params: { chart: 'charts/nope' } });
      expect(r.exitCode).toBe(2);
      expect(r.errorLine).toMatch(/error: chart path "charts\/nope" not found in the source workspace$/);
      const outside = await runPush({ source, registry, version: '1.0.0', params: { chart: '../../etc' } });
      expect(outside.exitCode).toBe(2);
      expect(outside.errorLine).toMatch(/outside the source workspace/);
    });

    it('invalid Chart.yaml', async () => {
      const { source, chartDir } = await appWorkspace('x');
      await writeFile(path.join(chartDir, 'Chart.yaml'), 'apiVersion: v2\nname: [broken\n');
      const r = await runPush({ source, registry, version: '1.0.0' });
      expect(r.exitCode).toBe(2);
      expect(r.errorLine).toMatch(/error: invalid Chart\.yaml: /);
      await writeFile(path.join(chartDir, 'Chart.yaml'), 'apiVersion: v2\nversion: 1.0.0\n');
      const noName = await runPush({ source, registry, version: '1.0.0' });
      expect(noName.errorLine).toMatch(/error: invalid Chart\.yaml: name must be/);
    });

    it('lint failure, with helm\'s message', async () => {
      const { source, chartDir } = await appWorkspace('linty');
      await writeFile(path.join(chartDir, 'templates', 'broken.yaml'), 'kind: ConfigMap\nmetadata:\n  name: {{ .Values.name | nosuchfunc }}\n');
      const r = await runPush({ source, registry, version: '1.0.0' });
      expect(r.exitCode).toBe(2);
      expect(r.errorLine).toMatch(/error: helm lint of chart linty failed: \[ERROR\] templates\/: .*nosuchfunc/);
      expect(await getManifestDigest(registry, 'charts/linty', '1.0.0')).toBeUndefined();
    });

    it('bad params', async () => {
      const { source } = await appWorkspace('x');
      const r = await runPush({ source, registry, version: '1.0.0+build.1', params: { 'chart-repository': 'https://charts.example.com' } });
      expect(r.exitCode).toBe(2);
      expect(r.errorLine).toMatch(/param version: .*SemVer/);
      const http = await runPush({ source, registry, version: '1.0.0', params: { 'chart-repository': 'https://charts.example.com' } });
      expect(http.exitCode).toBe(2);
      expect(http.errorLine).toMatch(/not an OCI URL .*ChartMuseum/);
    });

    it('registry unreachable after bounded retries', async () => {
      const { source } = await appWorkspace('x');
      const r = await runPush({ source, registry: { ...registry, host: '127.0.0.1:9' }, version: '1.0.0' });
      expect(r.exitCode).toBe(1);
      expect(r.errorLine).toMatch(/error: helm registry login to 127\.0\.0\.1:9: registry unreachable \(.*connection refused.*\); gave up after 4 attempts$/);
      expect(r.log.match(/attempt \d of 4/g)).toHaveLength(3);
      expectNoSecret(r.log);
    });
  });
});
