import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '@hat/task-runtime';
import { startRegistry, type Registry } from '../../../test/stack/index.ts';
import { createRegistryClient, RegistryAuthError, TransportError } from '../src/index.ts';
import { pushTinyImage } from './push-fixture.ts';

describe('registry client against the real registry (htpasswd, plain http)', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  const client = (password = registry.password, tlsVerify = false) =>
    createRegistryClient({ registry: registry.host, credential: { kind: 'basic', username: registry.username, password }, tlsVerify });

  it('reads back the digest of the manifest bytes that were pushed, by tag and by digest', async () => {
    const pushed = await pushTinyImage(registry, 'team/app', '1.0.0', 'one');
    const c = client();
    await c.checkAccess('team/app', ['pull', 'push']);
    expect(await c.manifestDigest('team/app', '1.0.0')).toBe(pushed);
    const byDigest = await c.getManifest('team/app', pushed);
    expect(byDigest?.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(`sha256:${createHash('sha256').update(byDigest?.body ?? '').digest('hex')}`).toBe(pushed);
  });

  it('answers undefined for a tag that does not exist', async () => {
    expect(await client().manifestDigest('team/app', 'nope')).toBeUndefined();
    expect(await client().manifestDigest('team/missing', 'latest')).toBeUndefined();
  });

  it('refuses a wrong password and a missing credential with RegistryAuthError', async () => {
    await expect(client('wrong-password').checkAccess('team/app', ['push'])).rejects.toThrow(RegistryAuthError);
    await expect(createRegistryClient({ registry: registry.host, tlsVerify: false }).checkAccess('team/app', ['pull'])).rejects.toThrow(
      /requires a username and password, and none was given/,
    );
  });

  it('with TLS verification on, says the registry is insecure instead of falling back to http', async () => {
    const err = await client(registry.password, true).checkAccess('team/app', ['pull']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/serves plain HTTP, not https/);
  });

  it('reports a registry that is down as transient (worth retrying)', async () => {
    const down = createRegistryClient({ registry: '127.0.0.1:1', tlsVerify: false });
    await expect(down.checkAccess('a', ['pull'])).rejects.toBeInstanceOf(TransientError);
  });
});

describe('registry client with bearer-token auth', () => {
  // Distribution's token auth needs a signing key and an issuer; this small server speaks the same HTTP exchange.
  let server: http.Server;
  let host = '';
  const manifest = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}');
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://${host}`);
      seen.push(`${req.method} ${url.pathname}${url.search}`);
      if (url.pathname === '/token') {
        const ok = req.headers.authorization === `Basic ${Buffer.from('robot:pw').toString('base64')}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? JSON.stringify({ token: 'tkn-for-test' }) : '{}');
        return;
      }
      if (req.headers.authorization !== 'Bearer tkn-for-test') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="fake-registry"` }).end();
        return;
      }
      if (url.pathname === '/v2/') return void res.writeHead(200).end('{}');
      if (url.pathname === '/v2/a/b/manifests/1.0') return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('gets a token for the repository scope and reads the manifest with it', async () => {
    const c = createRegistryClient({ registry: host, credential: { kind: 'basic', username: 'robot', password: 'pw' }, tlsVerify: false });
    expect(await c.manifestDigest('a/b', '1.0')).toBe(`sha256:${createHash('sha256').update(manifest).digest('hex')}`);
    expect(seen).toContain('GET /token?service=fake-registry&scope=repository%3Aa%2Fb%3Apull');
  });

  it('turns a refused token request into RegistryAuthError', async () => {
    const c = createRegistryClient({ registry: host, credential: { kind: 'basic', username: 'robot', password: 'nope' }, tlsVerify: false });
    await expect(c.checkAccess('a/b', ['pull', 'push'])).rejects.toThrow(/refused the credential \(token service answered HTTP 401\)/);
  });
});
