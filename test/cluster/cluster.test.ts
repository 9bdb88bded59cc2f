// hat cluster up / status / down on this machine, for real: Kubernetes from the Go module proxy, containerd + runc,
// the CNI bridge; a pod runs; a second `up` changes nothing; `up` after a crash recovers; `down` leaves nothing.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_PROCESSES, clusterDown, clusterLayout, clusterStatus, clusterUp, DEFAULT_NETWORK, loadKubeconfig, type ClusterLayout } from '@hat/cluster';
import { createLogger } from '@hat/task-runtime';

const log = createLogger({ prefix: 'test:cluster' });
let layout: ClusterLayout;
let core: CoreV1Api;

beforeAll(async () => {
  layout = clusterLayout(await mkdtemp(path.join(os.tmpdir(), 'hat-cluster-')));
  try {
    await clusterUp({ log, layout });
  } catch (err) {
    await clusterDown({ log, layout });
    throw err;
  }
  core = loadKubeconfig(layout.adminKubeconfig).makeApiClient(CoreV1Api);
});
afterAll(async () => {
  if (layout) await clusterDown({ log, layout });
});

async function runPod(name: string): Promise<string> {
  await core.createNamespacedPod({
    namespace: 'default',
    body: {
      metadata: { name },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'localhost/hat/pause:1', imagePullPolicy: 'Never', command: ['/busybox', 'sh', '-c', 'echo hello from $(/busybox hostname)'] }] },
    },
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const phase = (await core.readNamespacedPod({ name, namespace: 'default' })).status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') break;
    if (Date.now() > deadline) throw new Error(`pod ${name}: still ${phase} after 60 s`);
    await sleep(500);
  }
  return core.readNamespacedPodLog({ name, namespace: 'default' });
}

describe('hat cluster', () => {
  it('up: every process runs, the node is Ready, and a pod runs on it', async () => {
    const status = await clusterStatus(layout);
    expect(status.running).toBe(true);
    expect(status.node).toEqual({ name: 'hat-node', ready: true, version: 'v1.35.4' });
    expect((await runPod('hello')).trim()).toBe('hello from hello');
  });

  it('Services work: the API server answers on the kubernetes Service ClusterIP (kube-proxy, the route via the bridge)', async () => {
    const pki = path.join(layout.dir, 'pki');
    const status = await new Promise<number | undefined>((resolve) => {
      const req = https.get('https://10.213.16.1/readyz', { ca: readFileSync(path.join(pki, 'ca.crt')), cert: readFileSync(path.join(pki, 'admin.crt')), key: readFileSync(path.join(pki, 'admin.key')), timeout: 5_000 }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', () => resolve(undefined));
    });
    expect(status).toBe(200);
  });

  it('cluster DNS: a pod resolves the kubernetes Service by name through CoreDNS', async () => {
    await core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'dns' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'localhost/hat/pause:1', imagePullPolicy: 'Never', command: ['/busybox', 'nslookup', 'kubernetes.default.svc.cluster.local'] }] } },
    });
    const deadline = Date.now() + 60_000;
    while (!['Succeeded', 'Failed'].includes((await core.readNamespacedPod({ name: 'dns', namespace: 'default' })).status?.phase ?? '') && Date.now() < deadline) await sleep(500);
    const out = await core.readNamespacedPodLog({ name: 'dns', namespace: 'default' });
    expect(out).toMatch(/Address:\s+10\.213\.16\.1\b/);
  });

  it('storage: a claim of the default StorageClass is provisioned and a non-root pod writes to it', async () => {
    await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } } } });
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'writer' },
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsUser: 65532, runAsGroup: 65532 },
          containers: [{ name: 'c', image: 'localhost/hat/pause:1', imagePullPolicy: 'Never', command: ['/busybox', 'sh', '-c', 'echo written > /data/file && /busybox cat /data/file'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        },
      },
    });
    const deadline = Date.now() + 90_000;
    while (!['Succeeded', 'Failed'].includes((await core.readNamespacedPod({ name: 'writer', namespace: 'default' })).status?.phase ?? '') && Date.now() < deadline) await sleep(500);
    expect((await core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: 'default' })).spec?.storageClassName).toBe('hat-local');
    expect((await core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: 'default' })).status?.phase).toBe('Bound');
    expect((await core.readNamespacedPodLog({ name: 'writer', namespace: 'default' })).trim()).toBe('written');
    // Released: the volume and its folder go with the claim.
    const volume = (await core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: 'default' })).spec!.volumeName!;
    const dir = (await core.readPersistentVolume({ name: volume })).spec!.hostPath!.path;
    expect(dir.startsWith(`${layout.volumes}/`)).toBe(true);
    await core.deleteNamespacedPod({ name: 'writer', namespace: 'default', gracePeriodSeconds: 0 });
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'data', namespace: 'default' });
    const gone = Date.now() + 60_000;
    while ((await core.listPersistentVolume()).items.some((pv) => pv.metadata?.name === volume) && Date.now() < gone) await sleep(500);
    expect((await core.listPersistentVolume()).items.map((pv) => pv.metadata?.name)).not.toContain(volume);
    expect(existsSync(dir)).toBe(false);
  });

  it('up again changes nothing: the same processes keep running', async () => {
    const before = (await clusterStatus(layout)).processes;
    await clusterUp({ log, layout });
    expect((await clusterStatus(layout)).processes).toEqual(before);
  });

  it('up after a crash (every process killed) recovers', async () => {
    const { processes } = await clusterStatus(layout);
    for (const pid of Object.values(processes)) if (pid) process.kill(pid, 'SIGKILL');
    await sleep(500);
    expect((await clusterStatus(layout)).running).toBe(false);
    await clusterUp({ log, layout });
    const status = await clusterStatus(layout);
    expect(status.running).toBe(true);
    expect(status.node?.ready).toBe(true);
    expect((await runPod('again')).trim()).toBe('hello from again');
  });

  it('down leaves no process, mount, route, address, bridge or iptables chain of its own behind', async () => {
    const pids = Object.values((await clusterStatus(layout)).processes).filter((p): p is number => p !== null);
    expect(pids).toHaveLength(CLUSTER_PROCESSES.length);
    await clusterDown({ log, layout });
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect((await execa('ip', ['-o', 'addr', 'show', 'dev', 'lo'])).stdout).not.toContain(DEFAULT_NETWORK.nodeAddress);
    expect((await execa('ip', ['route', 'show', 'table', 'all'])).stdout).not.toContain('10.213.');
    expect((await execa('ip', ['link', 'show', DEFAULT_NETWORK.bridge], { reject: false })).exitCode).not.toBe(0);
    expect((await execa('iptables-save')).stdout).not.toMatch(/KUBE-|CNI-/);
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(layout.dir);
    expect((await clusterStatus(layout)).node).toBeNull();
  });
});
