// The cluster's certificates, checked with openssl itself: chains, names, usages, key modes, made once.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_NETWORK } from '../src/network.ts';
import { apiServiceAddress, ensurePki, kubeconfig } from '../src/pki.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const x509 = async (cert: string, ...args: string[]): Promise<string> => (await execa('openssl', ['x509', '-in', cert, '-noout', ...args])).stdout;

describe('cluster PKI', () => {
  it('makes a CA and certificates it signed, with the names and usages each component needs; private keys 0600', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-pki-'));
    dirs.push(dir);
    const pki = await ensurePki(path.join(dir, 'pki'), DEFAULT_NETWORK);
    for (const pair of [pki.apiserver, pki.admin, pki.kubeletClient, pki.kubeletServing, pki.controllerManager, pki.scheduler, pki.kubeProxy, pki.apiserverKubeletClient]) {
      expect((await execa('openssl', ['verify', '-CAfile', pki.ca.cert, pair.cert])).stdout).toBe(`${pair.cert}: OK`);
      expect((await stat(pair.key)).mode & 0o777).toBe(0o600);
    }
    const sans = await x509(pki.apiserver.cert, '-ext', 'subjectAltName');
    for (const name of ['IP Address:10.213.0.1', `IP Address:${apiServiceAddress(DEFAULT_NETWORK)}`, 'DNS:kubernetes.default.svc.cluster.local']) expect(sans).toContain(name);
    expect(apiServiceAddress(DEFAULT_NETWORK)).toBe('10.213.16.1');
    expect(await x509(pki.apiserver.cert, '-ext', 'extendedKeyUsage')).toContain('TLS Web Server Authentication');
    expect(await x509(pki.admin.cert, '-ext', 'extendedKeyUsage')).toContain('TLS Web Client Authentication');
    expect(await x509(pki.admin.cert, '-subject')).toBe('subject=O = system:masters, CN = hat-admin');
    expect(await x509(pki.kubeletClient.cert, '-subject')).toBe('subject=O = system:nodes, CN = system:node:hat-node');
    expect((await readFile(pki.serviceAccount.pub, 'utf8')).startsWith('-----BEGIN PUBLIC KEY-----')).toBe(true);
    // Made once: a second call keeps every file.
    const before = await readFile(pki.apiserver.cert, 'utf8');
    await ensurePki(path.join(dir, 'pki'), DEFAULT_NETWORK);
    expect(await readFile(pki.apiserver.cert, 'utf8')).toBe(before);
    const config = parse(kubeconfig('https://10.213.0.1:6443', pki.ca.cert, pki.admin));
    expect(config).toMatchObject({ kind: 'Config', 'current-context': 'hat', clusters: [{ cluster: { server: 'https://10.213.0.1:6443', 'certificate-authority': pki.ca.cert } }] });
  });
});
