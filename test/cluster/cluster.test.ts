// hat cluster up / status / down on this machine, for real: Kubernetes from the Go module proxy, containerd + runc,
// the CNI bridge; a pod runs; Tekton, Triggers and Argo CD run and their admission webhooks accept what HAT ships;
// a second `up` changes nothing; `up` after a crash recovers; `down` leaves nothing.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { APPLICATIONS, waitForSync } from '@hat/argocd';
import { revisionContains } from '@hat/git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects, ARGOCD_VERSION, CLUSTER_PROCESSES, clusterDown, podPids, clusterLayout, clusterStatus, clusterUp, DEFAULT_NETWORK, ensureComponent, loadKubeconfig, parseManifests, TEKTON_PIPELINE_VERSION, TEKTON_TRIGGERS_VERSION, type ClusterLayout } from '@hat/cluster';
import { repoRoot } from '@hat/task-runner';
import { catalogTaskFiles, dryRun, kustomizeBuild, renderedChartExamples, type DryRun } from './admission.ts';
import { catalogRepo, CATALOG_USER, hat } from './install.ts';
import { startGitServer, type GitServer } from '../stack/index.ts';
import { startTestCluster, type TestCluster } from './fixture.ts';
import { landingQueueTests } from './landing-queue.ts';
import { deployControllerTests } from './deploy-controller.ts';
import { createLogger } from '@hat/task-runtime';

const log = createLogger({ prefix: 'test:cluster' });
const NAMESPACE = 'hat-ci';
const SMOKE = 'smoke';
let layout: ClusterLayout;
let core: CoreV1Api;
let git: GitServer | undefined;

let cluster: TestCluster | undefined;

beforeAll(async () => {
  cluster = await startTestCluster(log);
  layout = cluster.layout;
  core = cluster.config.makeApiClient(CoreV1Api);
});
const temps: string[] = [];
const tempDir = async (prefix: string): Promise<string> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
};

afterAll(async () => {
  await git?.stop();
  await cluster?.stop();
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
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
    // Pod address leases are the cluster's own (its state dir), not /var/lib/cni's, which outlived clusters.
    const leases = await readdir(path.join(layout.dir, 'cni-leases', 'hat'));
    expect(leases.filter((f) => f.startsWith('10.213.32.')).length).toBeGreaterThan(0);
  });

  it('the node keeps its imported images: the running kubelet never garbage-collects them (they cannot be pulled again)', async () => {
    const configz = await core.connectGetNodeProxyWithPath({ name: 'hat-node', path: 'configz' });
    const config = (typeof configz === 'string' ? JSON.parse(configz) : configz) as { kubeletconfig: { imageGCHighThresholdPercent: number } };
    expect(config.kubeletconfig.imageGCHighThresholdPercent).toBe(100);
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

  it('storage: a claim of the default StorageClass is provisioned (root-owned, as real storage) and a non-root pod with fsGroup writes to it', async () => {
    await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } } } });
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'writer' },
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532 },
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
    const dir = (await core.readPersistentVolume({ name: volume })).spec!.local!.path;
    expect(dir.startsWith(`${layout.volumes}/`)).toBe(true);
    await core.deleteNamespacedPod({ name: 'writer', namespace: 'default', gracePeriodSeconds: 0 });
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'data', namespace: 'default' });
    const gone = Date.now() + 60_000;
    while ((await core.listPersistentVolume()).items.some((pv) => pv.metadata?.name === volume) && Date.now() < gone) await sleep(500);
    expect((await core.listPersistentVolume()).items.map((pv) => pv.metadata?.name)).not.toContain(volume);
    expect(existsSync(dir)).toBe(false);
  });

  it('add-ons: Tekton Pipelines, Triggers and Argo CD run, at their pinned versions', async () => {
    const status = await clusterStatus(layout);
    expect(status.addons?.map((a) => [a.name, a.version, a.ready])).toEqual([
      ['tekton-pipelines', TEKTON_PIPELINE_VERSION, true],
      ['tekton-triggers', TEKTON_TRIGGERS_VERSION, true],
      ['argocd', ARGOCD_VERSION, true],
    ]);
    expect(status.addons?.find((a) => a.name === 'argocd')?.workloads.map((w) => w.name).sort()).toEqual([
      'deployment/argocd-applicationset-controller', 'deployment/argocd-redis', 'deployment/argocd-repo-server', 'statefulset/argocd-application-controller',
    ]);
    expect(status.ready).toBe(true);
  });

  it('Tekton runs a TaskRun in pods: a command step and a script step (shell image built here)', async () => {
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    await core.createNamespace({ body: { metadata: { name: SMOKE } } });
    // A new namespace gets its default ServiceAccount from a controller a moment later; Tekton needs it for the pod
    // (a TaskRun created before failed with PodCreationFailed: serviceaccounts "default" not found). Bounded wait.
    for (const ns of [NAMESPACE, SMOKE]) {
      const deadline = Date.now() + 30_000;
      while (!(await core.readNamespacedServiceAccount({ name: 'default', namespace: ns }).then(() => true, () => false))) {
        if (Date.now() > deadline) throw new Error(`namespace ${ns} has no default ServiceAccount after 30 s (kube-controller-manager's serviceaccount controller)`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const custom = loadKubeconfig(layout.adminKubeconfig).makeApiClient(CustomObjectsApi);
    const steps = [
      { name: 'command', image: 'localhost/hat/pause:1', command: ['/busybox', 'echo', 'from a command'] },
      { name: 'script', image: 'localhost/hat/pause:1', script: '#!/busybox sh\necho "from a script as $(/busybox id -u)"\n' },
    ];
    await custom.createNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: SMOKE, plural: 'taskruns', body: { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'hello' }, spec: { taskSpec: { steps } } } });
    let condition: { status?: string; reason?: string; message?: string } | undefined;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const run = (await custom.getNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: SMOKE, plural: 'taskruns', name: 'hello' })) as { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } };
      condition = run.status?.conditions?.find((c) => c.type === 'Succeeded');
      if (condition && condition.status !== 'Unknown') break;
      await sleep(500);
    }
    expect(condition, JSON.stringify(condition)).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(await core.readNamespacedPodLog({ name: 'hello-pod', namespace: SMOKE, container: 'step-command' })).toContain('from a command');
    expect(await core.readNamespacedPodLog({ name: 'hello-pod', namespace: SMOKE, container: 'step-script' })).toContain('from a script as 0');
  });

  it('the real admission webhooks accept every catalog Task, the catalog kustomizations and the pipeline chart of every example', async () => {
    const kubectl = (await ensureComponent('kubernetes', { log })).binaries['kubectl']!;
    const runs: DryRun[] = [];
    for (const file of await catalogTaskFiles()) runs.push(await dryRun(kubectl, layout.adminKubeconfig, NAMESPACE, file, await readFile(file, 'utf8')));
    for (const dir of ['catalog', 'catalog/install/v1']) runs.push(await dryRun(kubectl, layout.adminKubeconfig, NAMESPACE, dir, await kustomizeBuild(path.join(repoRoot, dir))));
    for (const [example, yaml] of Object.entries(await renderedChartExamples(NAMESPACE))) runs.push(await dryRun(kubectl, layout.adminKubeconfig, NAMESPACE, `chart example ${example}`, yaml));
    expect(runs.length).toBeGreaterThan(15);
    for (const r of runs) {
      expect({ what: r.what, exitCode: r.exitCode, stderr: r.stderr }).toEqual({ what: r.what, exitCode: 0, stderr: '' });
      expect(r.lines.length, r.what).toBeGreaterThan(0);
      for (const line of r.lines) expect(line, r.what).toMatch(/ \(server dry run\)$/);
    }
    // The chart's Tekton and Triggers objects reached their webhooks: the kinds each example renders.
    const kinds = new Set(runs.flatMap((r) => r.lines.map((l) => l.split('/')[0])));
    for (const kind of ['task.tekton.dev', 'pipeline.tekton.dev', 'eventlistener.triggers.tekton.dev', 'triggertemplate.triggers.tekton.dev', 'triggerbinding.triggers.tekton.dev']) expect(kinds).toContain(kind);
  });

  it('... and the webhooks do validate: an invalid Task and an invalid EventListener are refused', async () => {
    const kubectl = (await ensureComponent('kubernetes', { log })).binaries['kubectl']!;
    const badTask = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: bad}\nspec:\n  steps:\n  - name: Not_A_DNS_Label\n    image: x\n';
    const task = await dryRun(kubectl, layout.adminKubeconfig, NAMESPACE, 'bad task', badTask);
    expect(task.exitCode).not.toBe(0);
    expect(task.stderr).toMatch(/admission webhook "validation\.webhook\.pipeline\.tekton\.dev" denied the request/);
    const badListener = 'apiVersion: triggers.tekton.dev/v1beta1\nkind: EventListener\nmetadata: {name: bad}\nspec:\n  triggers:\n  - name: t\n';
    const listener = await dryRun(kubectl, layout.adminKubeconfig, NAMESPACE, 'bad listener', badListener);
    expect(listener.exitCode).not.toBe(0);
    expect(listener.stderr).toMatch(/admission webhook "validation\.webhook\.triggers\.tekton\.dev" denied the request/);
  });

  it('hat install: Argo CD syncs the catalog from git into the tasks namespace, with the env objects and the pipeline chart; a second run changes nothing', async () => {
    git = await startGitServer({ alsoOn: [DEFAULT_NETWORK.nodeAddress] });
    const url = await catalogRepo(git, DEFAULT_NETWORK.nodeAddress);
    const dir = await tempDir('hat-install-');
    const envPassword = 'env-repo-token-0815';
    await writeFile(path.join(dir, 'catalog.creds'), `username=${CATALOG_USER.username}\npassword=${CATALOG_USER.password}\n`);
    await writeFile(path.join(dir, 'test.env'), `url=${git.urlOn(DEFAULT_NETWORK.nodeAddress, `${git.url}/gitops/test.git`)}\nauthor-name=HAT deploy (test)\n`);
    await mkdir(path.join(dir, 'test.secret'));
    await writeFile(path.join(dir, 'test.secret', 'username'), 'deploy-test\n');
    await writeFile(path.join(dir, 'test.secret', 'password'), `${envPassword}\n`);
    const args = [
      'install', '--catalog-repo', url, '--catalog-credentials', path.join(dir, 'catalog.creds'), '--catalog-path', 'catalog/install/v1',
      '--env-config', `test=${path.join(dir, 'test.env')}`, '--env-secret', `test=${path.join(dir, 'test.secret')}`,
      '--pipeline-values', path.join(repoRoot, 'charts/pipeline/examples/minimal.yaml'), '--timeout', '150',
    ];
    const first = await hat(args, { KUBECONFIG: layout.adminKubeconfig });
    expect(first.exitCode, first.all).toBe(0);
    expect(first.stdout).toMatch(/^hat install: \d+ of \d+ objects changed$/m);
    for (const secret of [envPassword, CATALOG_USER.password]) expect(first.all).not.toContain(secret);
    // Argo CD synced catalog/install/v1: every Task of the catalog, named <task>-v1.
    const custom = loadKubeconfig(layout.adminKubeconfig).makeApiClient(CustomObjectsApi);
    const tasks = (await custom.listNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: NAMESPACE, plural: 'tasks' })) as { items: { metadata: { name: string; annotations?: Record<string, string> } }[] };
    const taskNames = (await readdir(path.join(repoRoot, 'catalog', 'tasks'))).map((t) => `${t}-v1`).sort();
    expect(tasks.items.map((t) => t.metadata.name).sort()).toEqual(taskNames);
    expect(tasks.items.every((t) => t.metadata.annotations?.['argocd.argoproj.io/tracking-id']?.startsWith('hat-catalog:'))).toBe(true);
    // The env objects, as the deploy Task reads them; the pipeline chart's EventListener.
    expect((await core.readNamespacedConfigMap({ name: 'hat-gitops-test', namespace: NAMESPACE })).data?.['author-name']).toBe('HAT deploy (test)');
    const secret = await core.readNamespacedSecret({ name: 'hat-gitops-test', namespace: NAMESPACE });
    expect([secret.type, Buffer.from(secret.data!['password']!, 'base64').toString()]).toEqual(['kubernetes.io/basic-auth', envPassword]);
    await custom.getNamespacedCustomObject({ group: 'triggers.tekton.dev', version: 'v1beta1', namespace: NAMESPACE, plural: 'eventlisteners', name: 'web' });

    const second = await hat(args, { KUBECONFIG: layout.adminKubeconfig });
    expect(second.exitCode, second.all).toBe(0);
    // The webhook verifier's Deployment is still starting (its status moves): that is no change of ours.
    expect(second.stdout, second.all).toMatch(/^hat install: nothing changed \(\d+ objects already as wanted\)$/m);
  });

  it('hat install refuses bad input before it touches the cluster, in one line naming the flag', async () => {
    const dir = await tempDir('hat-install-bad-');
    await writeFile(path.join(dir, 'nothing.secret'), 'username=u\n');
    await writeFile(path.join(dir, 'odd.env'), 'url=http://x/y.git\ncolour=blue\n');
    const cases: [string[], RegExp][] = [
      [['--env-config', 'qa=/x'], /^error: --env-config takes ENV=PATH with ENV one of test, stage, prod \(got "qa"\)$/],
      [['--env-config', `test=${path.join(dir, 'odd.env')}`], /^error: --env-config test: unknown key "colour" in .*odd\.env \(expected url, branch, author-name, author-email, require-upstream, upstream-url, upstream-branch, mode, forge, forge-api-url\)$/],
      [['--env-secret', `prod=${path.join(dir, 'nothing.secret')}`], /^error: --env-secret prod: give either password \(with username\) for https or ssh-privatekey \(with known_hosts\) for ssh, not neither$/],
      [['--context', 'nowhere'], /^error: --context: no context "nowhere" in .* \(it has hat\)$/],
      [['--timeout', 'soon'], /^error: --timeout takes a whole number of seconds \(got "soon"\)$/],
    ];
    const before = (await core.listNamespace()).items.length;
    for (const [args, message] of cases) {
      const r = await hat(['install', '--namespace', 'never-created', ...args], { KUBECONFIG: layout.adminKubeconfig });
      expect({ args, exitCode: r.exitCode }).toEqual({ args, exitCode: 2 });
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(message);
    }
    expect((await core.listNamespace()).items.length).toBe(before);
  });

  it('wait-for-sync on the real API server with only the pipeline chart\'s Role: Synced and Healthy at the commit or a later one holding it; else a timeout naming the state and message; 403 at once without the Role', async () => {
    // Argo CD reconciles Applications in its own namespace only: these, in another one, keep the status they are given.
    const ns = 'hat-wait';
    git ??= await startGitServer({ alsoOn: [DEFAULT_NETWORK.nodeAddress] });
    const cred = { username: 'wait-reader', password: 'wait-Secret-62' };
    const repo = await git.createRepo('gitops/wait', cred);
    const c1 = await git.seedRepo('gitops/wait', { 'apps/web/v': '1' }, 'one');
    const c2 = await git.seedRepo('gitops/wait', { 'apps/web/v': '2' }, 'two');
    const admin = loadKubeconfig(layout.adminKubeconfig);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespace({ body: { metadata: { name: 'hat-wait-runs' } } });
    await core.createNamespacedServiceAccount({ namespace: 'hat-wait-runs', body: { metadata: { name: 'runner' } } });
    // The chart's Role and RoleBinding as helm renders them, applied unchanged.
    const rbac = await execa('helm', ['template', 'web-pipeline', path.join(repoRoot, 'charts/pipeline'), '--namespace', 'hat-wait-runs', '-f', path.join(repoRoot, 'charts/pipeline/examples/github.yaml'), '--set', `argocd.namespace=${ns}`, '--set', 'pipelineRun.serviceAccountName=runner', '--show-only', 'templates/argocd-rbac.yaml']);
    await applyObjects(admin, parseManifests(rbac.stdout));
    const token = (await core.createNamespacedServiceAccountToken({ name: 'runner', namespace: 'hat-wait-runs', body: { spec: { audiences: [], expirationSeconds: 600 } } })).status!.token;
    const asRunner = new KubeConfig();
    asRunner.loadFromOptions({ clusters: [admin.getCurrentCluster()!], users: [{ name: 'runner', token }], contexts: [{ name: 'runner', cluster: admin.getCurrentCluster()!.name, user: 'runner' }], currentContext: 'runner' });
    const apps = admin.makeApiClient(CustomObjectsApi);
    const body = (status: object) => ({
      apiVersion: 'argoproj.io/v1alpha1', kind: 'Application',
      metadata: { name: 'test-web', namespace: ns, labels: { 'hat.dev/env': 'test', 'hat.dev/app': 'web' } },
      spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'web' }, source: { repoURL: repo.url, path: 'apps/web' } },
      status,
    });
    const setStatus = async (status: object) => {
      const current = (await apps.getNamespacedCustomObject({ ...APPLICATIONS, namespace: ns, name: 'test-web' })) as { metadata: { resourceVersion: string } };
      await apps.replaceNamespacedCustomObject({ ...APPLICATIONS, namespace: ns, name: 'test-web', body: { ...body(status), metadata: { ...body(status).metadata, resourceVersion: current.metadata.resourceVersion } } });
    };
    const wait = (commit: string, timeoutMs: number, over: Partial<Parameters<typeof waitForSync>[0]> = {}) =>
      waitForSync({
        api: asRunner.makeApiClient(CustomObjectsApi), namespace: ns, env: 'test', app: 'web', commit, timeoutMs, pollMs: 200, log,
        contains: (revision) => revisionContains({ url: repo.url, branch: 'main', auth: { kind: 'basic', ...cred }, privateHome: true, commit, revision, since: new Date(Date.now() - 3_600_000) }),
        ...over,
      });

    await apps.createNamespacedCustomObject({ ...APPLICATIONS, namespace: ns, body: body({ sync: { status: 'OutOfSync', revision: c1 }, health: { status: 'Progressing' }, operationState: { operation: { sync: { revision: c1 } }, startedAt: new Date().toISOString(), phase: 'Failed', message: 'one or more objects failed to apply' } }) });
    await expect(wait(c2, 1_500)).rejects.toThrow(new RegExp(`^Argo CD did not run test's commit ${c2.slice(0, 12)} of web within 2 s: test-web is OutOfSync/Progressing at ${c1.slice(0, 12)} \\(one or more objects failed to apply\\)$`));
    // Synced and Healthy at c1: enough for c1, not for the later c2.
    await setStatus({ sync: { status: 'Synced', revision: c1 }, health: { status: 'Healthy' } });
    expect(await wait(c1, 5_000)).toEqual([{ name: 'test-web', revision: c1, images: [] }]);
    await expect(wait(c2, 1_500)).rejects.toThrow(new RegExp(`test-web is Synced/Healthy at ${c1.slice(0, 12)}; it has not picked up the commit yet \\(Argo CD polls git`));
    // Argo CD sees c2 before it ever synced c1: c2 holds c1, so a wait for c1 (or c2) ends there.
    await setStatus({ sync: { status: 'OutOfSync', revision: c1 }, health: { status: 'Healthy' } });
    const waiting = wait(c1, 20_000);
    await sleep(1_000);
    await setStatus({ sync: { status: 'Synced', revision: c2 }, health: { status: 'Healthy' } });
    expect((await waiting).map((a) => a.revision)).toEqual([c2]);
    expect((await wait(c2, 5_000)).map((a) => a.revision)).toEqual([c2]);
    // No Application for the app: named, with how to get one.
    await expect(wait(c1, 1_000, { app: 'api' })).rejects.toThrow(/^no Argo CD Application for app api in env test in namespace hat-wait \(labels hat\.dev\/env=test, hat\.dev\/app=api\) within 1 s: let Argo CD follow the env repo/);
    // Outside the Role's namespace the API refuses: at once, naming the access needed, not after the timeout.
    const started = Date.now();
    await expect(wait(c1, 120_000, { namespace: 'argocd' })).rejects.toThrow(/^cannot read Argo CD Applications in namespace argocd \(403 Forbidden\): the run's service account needs get and list on applications\.argoproj\.io there/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  landingQueueTests(() => loadKubeconfig(layout.adminKubeconfig), tempDir);
  deployControllerTests(() => loadKubeconfig(layout.adminKubeconfig), tempDir);

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
    expect(await podPids()).not.toEqual([]);
    await clusterDown({ log, layout });
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    // No container either: a pod's processes outlive its shim, and once ran on at 90% CPU after a CI run.
    expect(await podPids()).toEqual([]);
    expect((await execa('ip', ['-o', 'addr', 'show', 'dev', 'lo'])).stdout).not.toContain(DEFAULT_NETWORK.nodeAddress);
    expect((await execa('ip', ['route', 'show', 'table', 'all'])).stdout).not.toContain('10.213.');
    expect((await execa('ip', ['link', 'show', DEFAULT_NETWORK.bridge], { reject: false })).exitCode).not.toBe(0);
    expect((await execa('iptables-save')).stdout).not.toMatch(/KUBE-|CNI-/);
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(layout.dir);
    expect((await clusterStatus(layout)).node).toBeNull();
  });
});
