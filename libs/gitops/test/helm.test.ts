// The real helm is the oracle for Chart.lock: our digest must equal the one `helm dependency update` writes,
// and after a deploy `helm dependency build` must accept the lock (it refuses an out-of-sync lock before
// downloading anything). Skipped only when no helm binary exists (the bootstrap builds one).
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, writeRegistryAuthFile } from '../../../test/stack/index.ts';
import type { Registry } from '../../../test/stack/index.ts';
import { applyDeploy, computeLockDigest, readAppState } from '../src/index.ts';
import { findHelm, loadCorpus } from './helpers.ts';

const helmBin = findHelm();
let work: string;

async function helm(args: string[], cwd: string, timeout = 60_000) {
  const home = path.join(work, 'helm-home');
  return execa(helmBin ?? 'helm', args, {
    cwd,
    reject: false,
    timeout,
    all: true,
    env: {
      HELM_CACHE_HOME: path.join(home, 'cache'),
      HELM_CONFIG_HOME: path.join(home, 'config'),
      HELM_DATA_HOME: path.join(home, 'data'),
      HELM_REGISTRY_CONFIG: path.join(home, 'registry.json'),
    },
  });
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
}

/** A minimal app chart whose template shows the image tag it was given. */
function appChart(dir: string, version: string): Record<string, string> {
  const name = path.basename(dir);
  return {
    [`${dir}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: "${version}"\n`,
    [`${dir}/values.yaml`]: 'image:\n  repository: registry.example.com/app\n  tag: latest\n',
    [`${dir}/templates/cm.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n`,
  };
}

describe.skipIf(helmBin === undefined)('against the real helm', () => {
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'hat-gitops-helm-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it.each([
    ['one dependency', 'dependencies:\n  - name: sub1\n    version: 1.2.3\n    repository: file://../sub1\n'],
    [
      'every hashed field, odd scalars',
      [
        'dependencies:',
        '  - name: sub1',
        '    version: ">=1.0.0 <2.0.0"',
        '    repository: "file://../sub1"',
        '    condition: "sub1.enabled,a<b&c"',
        "    tags: [front, 'two words', 10, yes]",
        '    import-values:',
        '      - child: a.b',
        '        parent: c',
        '      - data',
        '    alias: first',
        '  - Name: sub2          # Go matches keys case-insensitively',
        '    version: 1.0          # a float: Helm reads "1"',
        '    repository: file://../sub2',
        '    enabled: yes',
        '  - name: sub1',
        '    alias: second',
        '    version: "~1.2"',
        '    repository: file://../sub1',
        '    condition: "tab\\there, café, \\u2028"',
        '',
      ].join('\n'),
    ],
    ['flow style, CRLF', 'dependencies: [{name: sub2, version: "1.0.0", repository: "file://../sub2"}]\r\n'],
  ])('our Chart.lock digest equals helm dependency update\'s: %s', async (name, deps) => {
    const dir = path.join(work, `digest-${name.replaceAll(/\W+/g, '-')}`);
    await writeFiles(dir, { ...appChart('sub1', '1.2.3'), ...appChart('sub2', '1.0.0'), 'umb/Chart.yaml': `apiVersion: v2\nname: umb\nversion: 0.1.0\n${deps}` });
    const update = await helm(['dependency', 'update', 'umb'], dir);
    expect(update.exitCode, update.all).toBe(0);
    const chart = await readFile(path.join(dir, 'umb/Chart.yaml'), 'utf8');
    const lock = await readFile(path.join(dir, 'umb/Chart.lock'), 'utf8');
    const digest = /^digest: (\S+)$/m.exec(lock)?.[1];
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(computeLockDigest({ chart, lock })).toBe(digest);
  });

  it('after a deploy, helm dependency build accepts the lock and the umbrella renders the new tag (file:// chart)', async () => {
    const dir = path.join(work, 'deploy-file');
    await writeFiles(dir, {
      ...appChart('charts-src/shop', '1.9.0'),
      'apps/shop/Chart.yaml': '# umbrella\napiVersion: v2\nname: shop\nversion: 0.1.0\ndependencies:\n  - name: shop\n    version: 1.9.0 # deployed\n    repository: file://../../charts-src/shop\n',
      'apps/shop/values.yaml': 'shop:\n  image:\n    tag: 1.9.0\n',
    });
    const update = await helm(['dependency', 'update', 'apps/shop'], dir);
    expect(update.exitCode, update.all).toBe(0);
    // a new app chart version is published (here: the local chart moves on); 1.10 reads as a float if unquoted
    await writeFiles(dir, appChart('charts-src/shop', '1.10'));
    const read = async (f: string) => readFile(path.join(dir, 'apps/shop', f), 'utf8');
    const files = { chart: await read('Chart.yaml'), values: await read('values.yaml'), lock: await read('Chart.lock') };
    expect(readAppState(files, { chartPath: 'apps/shop/Chart.yaml', valuesPath: 'apps/shop/values.yaml' }).lock?.inSync).toBe(true);

    const r = applyDeploy(files, { chartPath: 'apps/shop/Chart.yaml', valuesPath: 'apps/shop/values.yaml', lockPath: 'apps/shop/Chart.lock', version: '1.10' });
    expect(r.chart).toContain('    version: "1.10" # deployed\n');
    await writeFiles(dir, { 'apps/shop/Chart.yaml': r.chart, 'apps/shop/values.yaml': r.values, 'apps/shop/Chart.lock': r.lock ?? '' });
    await rm(path.join(dir, 'apps/shop/charts'), { recursive: true, force: true });
    const build = await helm(['dependency', 'build', 'apps/shop'], dir);
    expect(build.exitCode, build.all).toBe(0);
    expect(build.all).not.toMatch(/out of sync/);
    expect(existsSync(path.join(dir, 'apps/shop/charts/shop-1.10.tgz'))).toBe(true);
    const rendered = await helm(['template', 'apps/shop'], dir);
    expect(rendered.exitCode, rendered.all).toBe(0);
    expect(rendered.stdout).toContain('image: "registry.example.com/app:1.10"');

    // control: the same build with a wrong digest is refused, so the check above is real
    await writeFile(path.join(dir, 'apps/shop/Chart.lock'), (r.lock ?? '').replace(/digest: sha256:./, 'digest: sha256:x'));
    const refused = await helm(['dependency', 'build', 'apps/shop'], dir);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.all).toMatch(/out of sync/);
  });

  describe('with an OCI registry (test/stack)', () => {
    let registry: Registry | undefined;
    beforeAll(async () => {
      registry = await startRegistry().catch(() => undefined);
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('helm dependency update → deploy → helm dependency build pulls the new version', async (ctx) => {
      if (registry === undefined) return ctx.skip();
      const dir = path.join(work, 'deploy-oci');
      const repo = `oci://${registry.host}/charts`;
      await writeRegistryAuthFile(registry, path.join(work, 'helm-home', 'registry.json'));
      for (const v of ['2.3.1', '2.4.0']) {
        await writeFiles(dir, appChart(`src-${v}/orders`, v));
        const pkg = await helm(['package', `src-${v}/orders`, '-d', 'pkgs'], dir);
        expect(pkg.exitCode, pkg.all).toBe(0);
        const push = await helm(['push', `pkgs/orders-${v}.tgz`, repo, '--plain-http'], dir);
        expect(push.exitCode, push.all).toBe(0);
      }
      await writeFiles(dir, {
        'apps/orders/Chart.yaml': `apiVersion: v2\r\nname: orders\r\nversion: 0.1.0\r\ndependencies:\r\n- name: orders\r\n  version: '2.3.1'\r\n  repository: ${repo}\r\n`,
        'apps/orders/values.yaml': 'orders:\r\n  image: {repository: registry.example.com/orders}\r\n',
      });
      const update = await helm(['dependency', 'update', 'apps/orders', '--plain-http'], dir);
      expect(update.exitCode, update.all).toBe(0);
      const read = async (f: string) => readFile(path.join(dir, 'apps/orders', f), 'utf8');
      const files = { chart: await read('Chart.yaml'), values: await read('values.yaml'), lock: await read('Chart.lock') };
      const r = applyDeploy(files, { chartPath: 'apps/orders/Chart.yaml', valuesPath: 'apps/orders/values.yaml', lockPath: 'apps/orders/Chart.lock', version: '2.4.0' });
      expect(r.values).toBe('orders:\r\n  image: {repository: registry.example.com/orders, tag: 2.4.0}\r\n');
      await writeFiles(dir, { 'apps/orders/Chart.yaml': r.chart, 'apps/orders/values.yaml': r.values, 'apps/orders/Chart.lock': r.lock ?? '' });
      await rm(path.join(dir, 'apps/orders/charts'), { recursive: true, force: true });
      const build = await helm(['dependency', 'build', 'apps/orders', '--plain-http'], dir);
      expect(build.exitCode, build.all).toBe(0);
      expect(existsSync(path.join(dir, 'apps/orders/charts/orders-2.4.0.tgz'))).toBe(true);
      const rendered = await helm(['template', 'apps/orders'], dir);
      expect(rendered.stdout).toContain('image: "registry.example.com/orders:2.4.0"');
    });
  });

  it.each(loadCorpus().filter((c) => c.files.lock !== undefined).map((c) => [c.name, c] as const))(
    'corpus %s: helm accepts the lock before and after (gets past the sync check to downloading)',
    async (name, c) => {
      for (const [when, files] of [['before', c.files], ['after', c.expected]] as const) {
        const dir = path.join(work, `corpus-${name}-${when}`, 'app');
        await mkdir(dir, { recursive: true });
        await cp(c.dir, dir, { recursive: true });
        await writeFiles(dir, { 'Chart.yaml': files.chart ?? '', 'Chart.lock': files.lock ?? '' });
        const build = await helm(['dependency', 'build', 'app'], path.dirname(dir), 30_000);
        expect(build.all, when).not.toMatch(/out of sync/);
        expect(build.all, when).toMatch(/Downloading/);
      }
    },
  );
});
