import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TransientError } from '@hat/task-runtime';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startRegistry, type Registry } from '../../../test/stack/index.ts';
import { createHelmHome, HelmAuthError, HelmNotFoundError, packageChart, pull, push, registryLogin, showChart } from '../src/index.ts';
import { createChart, tempDir } from './fixture.ts';

let registry: Registry;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

async function home() {
  const h = await createHelmHome();
  onTestFinished(() => h.dispose());
  return h;
}

describe('helm CLI (registry commands)', () => {
  it('logs in inside its own home, pushes, shows and pulls', async () => {
    const h = await home();
    await registryLogin(registry.host, { home: h, username: registry.username, password: registry.password, plainHttp: true });
    const config = await readFile(h.registryConfig, 'utf8');
    expect(h.registryConfig.startsWith(h.dir)).toBe(true);
    expect(config).toContain(registry.host);
    expect(h.env['HOME']?.startsWith(h.dir)).toBe(true);

    const chart = await createChart('reg');
    const pkg = await packageChart(chart, { destination: await tempDir(), version: '0.2.0' });
    const pushed = await push(pkg.path, `oci://${registry.host}/lib`, { home: h, plainHttp: true });
    expect(pushed).toEqual({ ref: `${registry.host}/lib/reg:0.2.0`, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(await showChart(`oci://${registry.host}/lib/reg`, { home: h, version: '0.2.0', plainHttp: true })).toMatchObject({ name: 'reg', version: '0.2.0', appVersion: '1.16.0' });
    const dest = await tempDir();
    const pulled = await pull(`oci://${registry.host}/lib/reg`, { home: h, version: '0.2.0', destination: dest, plainHttp: true });
    expect(pulled).toEqual({ path: path.join(dest, 'reg-0.2.0.tgz'), digest: pushed.digest });
    await h.dispose();
    await expect(stat(h.dir)).rejects.toThrow();
  });

  it('classifies failures: wrong password, missing chart, unreachable registry', async () => {
    const h = await home();
    const secret = 'wrong-password-5d2a';
    const auth = await registryLogin(registry.host, { home: h, username: registry.username, password: secret, plainHttp: true }).catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(HelmAuthError);
    expect((auth as Error).message).toMatch(/^helm registry login to 127\.0\.0\.1:\d+: authentication refused \(.*401/);
    expect((auth as Error).message).not.toContain(secret);

    const anonymous = await pull(`oci://${registry.host}/lib/reg`, { home: h, version: '0.2.0', destination: await tempDir(), plainHttp: true }).catch((e: unknown) => e);
    expect(anonymous).toBeInstanceOf(HelmAuthError);

    await registryLogin(registry.host, { home: h, username: registry.username, password: registry.password, plainHttp: true });
    const missing = await pull(`oci://${registry.host}/lib/none`, { home: h, version: '9.9.9', destination: await tempDir(), plainHttp: true }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HelmNotFoundError);

    const down = await showChart('oci://127.0.0.1:9/lib/reg', { home: h, version: '1.0.0', plainHttp: true }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(TransientError);
    expect((down as Error).message).toMatch(/registry unreachable \(.*connection refused/);
  });
});
