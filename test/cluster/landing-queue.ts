// The deploy Tasks' landing queue (@hat/lease-queue) on the real API server: runs as a pod's service account would
// (its token, the cluster's CA, its namespace), with only the pipeline chart's Role; the env repo on the test git
// server. Registered by cluster.test.ts, on its cluster.
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { CoordinationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects, parseManifests, serviceAccountEnv } from '@hat/cluster';
import { repoRoot } from '@hat/task-runner';
import { queueName } from '@hat/task-deploy';
import { serviceAccountApi } from '@hat/lease-queue';
import { appFiles, bare, envObjects, runDeploy } from '../../tasks/deploy/test/helpers.ts';
import { startGitServer, type GitRepo, type GitServer } from '../stack/index.ts';

const NS = 'hat-queue';
const CRED = { username: 'queue-deployer', password: 'queue-Secret-77' };

export function landingQueueTests(admin: () => KubeConfig, tempDir: (prefix: string) => Promise<string>): void {
  describe('the landing queue on the real API server, as a pod\'s service account with the pipeline chart\'s Role', () => {
    let server: GitServer;
    let repo: GitRepo;
    /** The step env of a run as the service account `sa` (its token, the cluster's CA and namespace, as a pod has them). */
    const asServiceAccount = async (sa: string): Promise<Record<string, string>> => serviceAccountEnv(admin(), NS, sa, await tempDir(`hat-sa-${sa}-`), 600);
    const leases = () => admin().makeApiClient(CoordinationV1Api);
    const queue = () => queueName('test', { url: repo.url, branch: 'main' });
    const requests = async () => (await leases().listNamespacedLease({ namespace: NS, labelSelector: `hat.dev/queue=${queue()}` })).items;

    beforeAll(async () => {
      server = await startGitServer();
      repo = await server.createRepo('gitops-queue', CRED);
      const files: Record<string, string> = { 'README.md': '# queue\n', ...appFiles('solo', '1.0.0') };
      for (let i = 0; i < 32; i++) Object.assign(files, appFiles(`app-${i}`, '1.0.0'));
      await server.seedRepo('gitops-queue', files, 'scaffold 33 apps');
      const core = admin().makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: NS } } });
      for (const sa of ['runner', 'no-role']) await core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: sa } } });
      // The chart's Role and RoleBinding as helm renders them, into the release's namespace (as helm install does).
      const rbac = await execa('helm', ['template', 'web-pipeline', path.join(repoRoot, 'charts/pipeline'), '--namespace', NS, '-f', path.join(repoRoot, 'charts/pipeline/examples/github.yaml'), '--set', 'pipelineRun.serviceAccountName=runner', '--show-only', 'templates/landing-queue-rbac.yaml']);
      await applyObjects(admin(), parseManifests(rbac.stdout).map((o) => ({ ...o, metadata: { namespace: NS, ...o.metadata } })));
    });

    afterAll(async () => {
      await server?.stop();
    });

    it('32 concurrent deploys of different apps: landed together in a few pushes, 32 commits, linear history, each app at its version; no request left behind', { timeout: 300_000 }, async () => {
      const objects = await envObjects('test', repo, CRED);
      const env = bare(server, repo);
      const before = await env.count();
      const sa = await asServiceAccount('runner');
      const runs = await Promise.all(Array.from({ length: 32 }, (_, i) => runDeploy('test', objects, { app: `app-${i}`, version: `1.${i + 1}.0` }, undefined, sa)));
      for (const r of runs) expect(r.exitCode, r.log).toBe(0);
      expect(await env.count()).toBe(before + 32);
      expect(await env.log('--merges', '--format=%H')).toBe('');
      expect(new Set(runs.map((r) => r.results.commit)).size).toBe(32);
      for (let i = 0; i < 32; i++) {
        expect(parse(await env.show(`apps/app-${i}/Chart.yaml`)).dependencies[0].version).toBe(`1.${i + 1}.0`);
        expect(parse(await env.show(`apps/app-${i}/values.yaml`))[`app-${i}`].image.tag).toBe(`1.${i + 1}.0`);
      }
      // Landed by the lock's holders in batches: fewer pushes than runs, and no push of a run was rejected.
      const batches = runs.flatMap((r) => [...r.log.matchAll(/landed (\d+) requests? in one push/g)].map((m) => Number(m[1])));
      expect(batches.reduce((a, b) => a + b, 0)).toBe(32);
      expect(batches.length).toBeLessThan(32);
      expect(runs.some((r) => r.log.includes('push rejected'))).toBe(false);
      // Every request has its result (pruned by a later holder); the lock is free.
      expect((await requests()).every((l) => l.metadata?.annotations?.['hat.dev/result'])).toBe(true);
      expect((await leases().readNamespacedLease({ name: queue(), namespace: NS })).spec?.holderIdentity).toBe('');
    });

    it('8 concurrent versions of one app: ends at the highest, never a step backwards in history', { timeout: 300_000 }, async () => {
      const objects = await envObjects('test', repo, CRED);
      const env = bare(server, repo);
      const sa = await asServiceAccount('runner');
      const versions = ['1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0', '1.6.0', '1.7.0', '1.8.0'].sort(() => Math.random() - 0.5);
      const runs = await Promise.all(versions.map((version) => runDeploy('test', objects, { app: 'solo', version }, undefined, sa)));
      for (const r of runs) {
        expect([0, 2], r.log).toContain(r.exitCode);
        if (r.exitCode === 2) expect(r.errorLine).toMatch(/is lower than .* deployed in test/);
      }
      expect(parse(await env.show('apps/solo/Chart.yaml')).dependencies[0].version).toBe('1.8.0');
      const history = (await env.log('--format=%(trailers:key=Hat-Version,valueonly)', '--', 'apps/solo')).split('\n').map((l) => l.trim()).filter(Boolean).reverse();
      for (let i = 1; i < history.length; i++) expect(history[i]! > history[i - 1]!, history.join(' ')).toBe(true);
      expect(runs.filter((r) => r.results.commit).length).toBe(history.length);
    });

    it('a holder that died (stopped renewing) blocks nobody: its lock lapses, the next run takes it and lands what the dead one had claimed', { timeout: 120_000 }, async () => {
      const objects = await envObjects('test', repo, CRED);
      const env = bare(server, repo);
      // The state a run leaves when it is killed while landing: the lock held (renewed 1 s ago, 4 s lease), one
      // request claimed by it and never answered. Written as the service account, in the API's own JSON (MicroTime).
      const sa = await asServiceAccount('runner');
      const api = serviceAccountApi({ ...process.env, ...sa })!;
      const base = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
      const micro = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');
      const lock = (await api.request<{ metadata: object }>('GET', `${base}/${queue()}`)).body;
      const put = await api.request('PUT', `${base}/${queue()}`, { ...lock, spec: { holderIdentity: 'killed-run', leaseDurationSeconds: 4, renewTime: micro(Date.now() - 1000), acquireTime: micro(Date.now() - 1000) } });
      expect(put.status).toBe(200);
      const orphan = `${queue()}-0-orphan`;
      const request = { app: 'app-0', version: '2.0.0', rollback: false, 'tls-verify': true };
      const filed = await api.request('POST', base, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: orphan, labels: { 'hat.dev/queue': queue() }, annotations: { 'hat.dev/request': JSON.stringify(request), 'hat.dev/state': 'claimed by killed-run' } }, spec: {} });
      expect(filed.status).toBe(201);
      // And a forged request (anyone who may create Leases here can file one): checked as the Task checks its params.
      const forged = `${queue()}-1-forged`;
      const bad = await api.request('POST', base, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: forged, labels: { 'hat.dev/queue': queue() }, annotations: { 'hat.dev/request': JSON.stringify({ app: '../../escape', version: '9.9.9' }) } }, spec: {} });
      expect(bad.status).toBe(201);
      // And a result nobody read for two minutes (its run gone): pruned by the next holder.
      const old = `${queue()}-0-old`;
      const at = new Date(Date.now() - 120_000).toISOString();
      const gone = await api.request('POST', base, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: old, labels: { 'hat.dev/queue': queue() }, annotations: { 'hat.dev/request': '{}', 'hat.dev/result': '{"error":"x","exitCode":1}', 'hat.dev/state-at': at } }, spec: {} });
      expect(gone.status).toBe(201);
      api.close();
      const started = Date.now();
      const r = await runDeploy('test', objects, { app: 'app-1', version: '2.0.0' }, undefined, sa);
      expect(r.exitCode, r.log).toBe(0);
      // It waited for the lapse (about 3 s), not much longer.
      expect(Date.now() - started).toBeGreaterThan(2_500);
      expect(r.log).toMatch(/landed 3 requests in one push/);
      expect((await requests()).map((l) => l.metadata!.name)).not.toContain(old);
      expect(JSON.parse((await leases().readNamespacedLease({ name: forged, namespace: NS })).metadata!.annotations!['hat.dev/result']!)).toEqual({ error: expect.stringMatching(/^bad input: param app: expected a DNS-1123 label/), exitCode: 2 });
      expect(parse(await env.show('apps/app-0/Chart.yaml')).dependencies[0].version).toBe('2.0.0');
      expect(parse(await env.show('apps/app-1/Chart.yaml')).dependencies[0].version).toBe('2.0.0');
      expect(JSON.parse((await leases().readNamespacedLease({ name: orphan, namespace: NS })).metadata!.annotations!['hat.dev/result']!).ok.status).toBe('deployed');
    });

    it('the git server down while a holder lands: every queued run fails in bounded time with one line, nothing written, the lock released; back up, the next run lands', { timeout: 180_000 }, async () => {
      const objects = await envObjects('test', repo, CRED);
      const env = bare(server, repo);
      const head = await env.head();
      const sa = await asServiceAccount('runner');
      await server.pause();
      const runs = await Promise.all(['app-2', 'app-3', 'app-4'].map((app) => runDeploy('test', objects, { app, version: '3.0.0' }, undefined, sa)));
      await server.resume();
      for (const r of runs) {
        expect(r.exitCode, r.log).toBe(1);
        expect(r.errorLine).toMatch(/^error: test repo http:\/\/127\.0\.0\.1:\d+\/gitops-queue\.git unreachable after 2 attempts: clone: connection refused/);
        expect(r.log).not.toContain(CRED.password);
      }
      expect(await env.head()).toBe(head);
      expect((await leases().readNamespacedLease({ name: queue(), namespace: NS })).spec?.holderIdentity).toBe('');
      const again = await runDeploy('test', objects, { app: 'app-2', version: '3.0.0' }, undefined, sa);
      expect(again.exitCode, again.log).toBe(0);
      expect(parse(await env.show('apps/app-2/Chart.yaml')).dependencies[0].version).toBe('3.0.0');
    });

    it('without the chart\'s Role (403), a deploy pushes on its own and says so', async () => {
      const objects = await envObjects('test', repo, CRED);
      const r = await runDeploy('test', objects, { app: 'app-5', version: '4.0.0' }, undefined, await asServiceAccount('no-role'));
      expect(r.exitCode, r.log).toBe(0);
      expect(r.log).toMatch(/the service account may not create Leases in namespace hat-queue \(the pipeline chart grants it\): deploying without the landing queue/);
      expect(parse(await bare(server, repo).show('apps/app-5/Chart.yaml')).dependencies[0].version).toBe('4.0.0');
    });
  });
}
