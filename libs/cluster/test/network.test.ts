// The network checks `hat cluster up` runs before any component starts: real routing-table lookups on this
// machine (`ip route get` sends nothing), nothing changed.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerdConfig } from '../src/components-config.ts';
import { allowPlainHttpRegistry, plainHttpHostsToml, registryHostsDir } from '../src/registry-hosts.ts';
import { clusterLayout } from '../src/state.ts';
import { assertNetworkSafe, networkProblems, parseRouteGet, probesOf, staysLocal } from '../src/network.ts';

describe('cluster network safety', () => {
  it('reads `ip -o route get` lines', () => {
    expect(parseRouteGet('local 127.0.0.1 dev lo src 127.0.0.1 uid 0 \\    cache <local> ')).toMatchObject({ type: 'local', dev: 'lo', via: undefined });
    expect(parseRouteGet('10.9.9.9 via 192.0.2.1 dev eth0 src 192.0.2.2 uid 0 \\    cache ')).toMatchObject({ type: 'unicast', dev: 'eth0', via: '192.0.2.1' });
    expect(parseRouteGet('unreachable 10.213.32.7 table main uid 0')).toMatchObject({ type: 'unreachable' });
    expect(staysLocal(parseRouteGet('10.213.16.9 dev hat0 src 10.213.32.1 uid 0'), 'hat0')).toBe(true);
    expect(staysLocal(parseRouteGet('10.213.16.9 dev eth0 src 192.0.2.2 uid 0'), 'hat0')).toBe(false);
    expect(staysLocal(parseRouteGet('10.213.16.9 via 10.1.1.1 dev hat0'), 'hat0')).toBe(false);
  });

  it('probes the first, second, middle and last address of a range', () => {
    expect(probesOf('10.213.16.0/24')).toEqual(['10.213.16.0', '10.213.16.1', '10.213.16.128', '10.213.16.255']);
    expect(probesOf('10.213.0.1/32')).toEqual(['10.213.0.1']);
    expect(() => probesOf('10.213.0.0')).toThrow(/not an IPv4 CIDR/);
  });

  it('on a machine not set up for the cluster, names every reason and refuses to start', async () => {
    // Documentation ranges (RFC 5737): never on this machine, whether or not a HAT cluster runs or a killed one left
    // its addresses behind (DEFAULT_NETWORK would then be set up, as it was on a CI machine).
    const net = { nodeAddress: '192.0.2.1', serviceCidr: '198.51.100.0/24', podCidr: '203.0.113.0/24', bridge: 'hat-test-none' };
    const problems = await networkProblems(net);
    expect(problems[0]).toBe('node address 192.0.2.1/32 is not on lo');
    expect(problems[1]).toMatch(/^node address 192\.0\.2\.1 does not route local \(ip route get: /);
    expect(problems.some((p) => p.startsWith('service range 198.51.100.0/24: 198.51.100.0 would leave this machine'))).toBe(true);
    expect(problems.some((p) => p.startsWith('pod range 203.0.113.0/24: '))).toBe(true);
    await expect(assertNetworkSafe(net, 'etcd')).rejects.toThrow(/^refusing to start etcd: node address 192\.0\.2\.1\/32 is not on lo; /);
  });

  it('accepts ranges that route locally; still wants the node address as a /32 on lo', async () => {
    const problems = await networkProblems({ nodeAddress: '127.0.0.1', serviceCidr: '127.0.1.0/24', podCidr: '127.0.2.0/24', bridge: 'hat0' });
    expect(problems).toEqual(['node address 127.0.0.1/32 is not on lo']);
  });
});

describe('registries the node pulls from over plain HTTP', () => {
  it('writes hosts.toml under containerd config_path for a registry on this machine; refuses malformed and non-local hosts, writing nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-registry-hosts-'));
    try {
      const l = clusterLayout(dir);
      expect(containerdConfig(l)).toContain(`config_path = "${registryHostsDir(l)}"`);
      const file = await allowPlainHttpRegistry(l, '127.0.0.1:5000');
      expect(file).toBe(path.join(dir, 'containerd', 'certs.d', '127.0.0.1:5000', 'hosts.toml'));
      expect(await readFile(file, 'utf8')).toBe(plainHttpHostsToml('127.0.0.1:5000'));
      expect(plainHttpHostsToml('127.0.0.1:5000')).toMatch(/^server = "http:\/\/127\.0\.0\.1:5000"$/m);
      await expect(allowPlainHttpRegistry(l, 'registry.example.com')).rejects.toThrow(/^registry host: expected <IPv4 address>:<port> of a registry on this machine, got "registry\.example\.com"$/);
      await expect(allowPlainHttpRegistry(l, '192.0.2.7:5000')).rejects.toThrow(/^registry host 192\.0\.2\.7:5000: 192\.0\.2\.7 is not an address of this machine/);
      expect(await readdir(registryHostsDir(l))).toEqual(['127.0.0.1:5000']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
