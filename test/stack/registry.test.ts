import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getManifest, getManifestDigest, startRegistry, writeRegistryAuthFile } from './index.ts';
import type { Registry } from './index.ts';
import { helm, tempDir } from './test-utils.ts';

describe('registry', () => {
  let registry: Registry;
  let chartPackage: string;
  let chartDir: string;
  beforeAll(async () => {
    chartDir = await mkdtemp(path.join(os.tmpdir(), 'hat-stack-chart-'));
    const [started, created] = await Promise.all([
      startRegistry({ username: 'ci', password: 'ci-secret' }),
      helm(['create', 'demo'], { home: chartDir, cwd: chartDir }),
    ]);
    registry = started;
    expect(created.exitCode, created.stderr).toBe(0);
    const packaged = await helm(['package', 'demo', '--version', '0.1.0', '-d', chartDir], { home: chartDir, cwd: chartDir });
    expect(packaged.exitCode, packaged.stderr).toBe(0);
    chartPackage = path.join(chartDir, 'demo-0.1.0.tgz');
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(chartDir, { recursive: true, force: true });
  });

  it('helm logs in, pushes and pulls a chart over plain HTTP; the digest helper agrees', async () => {
    const home = await tempDir();
    const login = await helm(['registry', 'login', registry.host, '--username', 'ci', '--password-stdin', '--plain-http'], {
      home,
      input: registry.password,
    });
    expect(login.exitCode, login.stderr).toBe(0);
    const push = await helm(['push', chartPackage, `oci://${registry.host}/charts`, '--plain-http'], { home });
    expect(push.exitCode, push.stderr).toBe(0);
    const pushed = /Digest: (sha256:[0-9a-f]{64})/.exec(`${push.stdout}\n${push.stderr}`)?.[1];
    expect(pushed).toBeDefined();
    expect(await getManifestDigest(registry, 'charts/demo', '0.1.0')).toBe(pushed);
    const manifest = await getManifest(registry, 'charts/demo', '0.1.0');
    expect(manifest?.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest?.body).toContain('application/vnd.cncf.helm.config.v1+json');

    const out = path.join(home, 'pulled');
    await mkdir(out);
    const pull = await helm(['pull', `oci://${registry.host}/charts/demo`, '--version', '0.1.0', '--plain-http', '-d', out], { home });
    expect(pull.exitCode, pull.stderr).toBe(0);
    expect(existsSync(path.join(out, 'demo-0.1.0.tgz'))).toBe(true);
  });

  it('works with a written auth file instead of a login', async () => {
    const home = await tempDir();
    await writeRegistryAuthFile(registry, path.join(home, 'registry', 'config.json'));
    const show = await helm(['show', 'chart', `oci://${registry.host}/charts/demo`, '--version', '0.1.0', '--plain-http'], { home });
    expect(show.exitCode, show.stderr).toBe(0);
    expect(show.stdout).toContain('name: demo');
  });

  it('refuses wrong credentials', async () => {
    const home = await tempDir();
    const login = await helm(['registry', 'login', registry.host, '--username', 'ci', '--password-stdin', '--plain-http'], {
      home,
      input: 'wrong',
    });
    expect(login.exitCode).not.toBe(0);
    expect(login.stderr).toMatch(/401|unauthorized/i);

    await writeRegistryAuthFile({ ...registry, password: 'wrong' }, path.join(home, 'registry', 'config.json'));
    const push = await helm(['push', chartPackage, `oci://${registry.host}/charts`, '--plain-http'], { home });
    expect(push.exitCode).not.toBe(0);
    expect(push.stderr).toMatch(/401|unauthorized/i);
    await expect(getManifestDigest({ ...registry, password: 'wrong' }, 'charts/demo', '0.1.0')).rejects.toThrow(/HTTP 401/);
  });

  it('reports a missing manifest as undefined', async () => {
    expect(await getManifestDigest(registry, 'charts/demo', '9.9.9')).toBeUndefined();
    expect(await getManifestDigest(registry, 'nothing/here', 'latest')).toBeUndefined();
  });

  it('buildah pushes an image with --tls-verify=false; skopeo reads it back', async () => {
    const home = await tempDir();
    const context = path.join(home, 'context');
    await mkdir(context);
    await writeFile(path.join(context, 'hello.txt'), 'hello\n');
    await writeFile(path.join(context, 'Containerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    const storage = ['--root', path.join(home, 'root'), '--runroot', path.join(home, 'runroot'), '--storage-driver', 'vfs'];
    const image = `${registry.host}/apps/hello:1.0.0`;
    await execa('buildah', [...storage, 'bud', '--isolation', 'chroot', '--timestamp', '0', '-q', '-t', image, context]);
    const digestFile = path.join(home, 'digest');
    await execa('buildah', [
      ...storage,
      'push',
      '--tls-verify=false',
      '--creds',
      `${registry.username}:${registry.password}`,
      '--digestfile',
      digestFile,
      image,
    ]);
    const digest = await getManifestDigest(registry, 'apps/hello', '1.0.0');
    expect(digest).toMatch(/^sha256:/);
    const authfile = await writeRegistryAuthFile(registry, path.join(home, 'auth.json'));
    const inspect = await execa('skopeo', ['inspect', '--tls-verify=false', '--authfile', authfile, '--format', '{{.Digest}}', `docker://${image}`]);
    expect(inspect.stdout.trim()).toBe(digest);
    const denied = await execa('skopeo', ['inspect', '--tls-verify=false', '--creds', 'ci:wrong', `docker://${image}`], { reject: false });
    expect(denied.exitCode).not.toBe(0);
  });

  it('keeps its content across pause and resume on the same port', async () => {
    const before = await getManifestDigest(registry, 'charts/demo', '0.1.0');
    await registry.pause();
    await expect(getManifestDigest(registry, 'charts/demo', '0.1.0')).rejects.toThrow(/ECONNREFUSED/);
    await registry.resume();
    expect(await getManifestDigest(registry, 'charts/demo', '0.1.0')).toBe(before);
  });
});
