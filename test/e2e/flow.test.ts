// HAT's whole flow on a real cluster, step by step (each step needs the ones before it): hat cluster up with
// Tekton, Triggers and Argo CD; the test stack's git server and registry on the node address, so pods reach them.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_NETWORK, waitForWorkload } from '@hat/cluster';
import { repoRoot } from '@hat/task-runner';
import { createLogger } from '@hat/task-runtime';
import { publishTaskImages, type TaskImages } from '../images/task-images.ts';
import { containerdClient, getManifestDigest, startGitServer, startRegistry, type GitServer, type Registry } from '../stack/index.ts';
import { startTestCluster, type TestCluster } from '../cluster/fixture.ts';
import { catalogRepo, CATALOG_USER, hat } from '../cluster/install.ts';
import { deliver, deliverWhenListening, githubPush, githubSignature } from './webhook.ts';
import { exampleAppFiles } from '../../cli/src/demo/example-app.ts';
import { addApp, initEnv } from '../../cli/src/env/operations.ts';

const log = createLogger({ prefix: 'e2e' });
const NODE = DEFAULT_NETWORK.nodeAddress;
const NAMESPACE = 'hat-ci';
const WEBHOOK_SECRET = 'gh-webhook-s3cret';
const WEB_CI = { username: 'web-ci', password: 'web-ci-token-1234' };
const DEPLOY_TEST = { username: 'deploy-test', password: 'deploy-test-token-5678' };

let cluster: TestCluster;
let git: GitServer;
let registry: Registry;
let work: string;
let images: TaskImages;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let appUrl: string;
let mainCommit: string;
let firstRun: string;

beforeAll(async () => {
  cluster = await startTestCluster(log);
  core = cluster.config.makeApiClient(CoreV1Api);
  custom = cluster.config.makeApiClient(CustomObjectsApi);
  git = await startGitServer({ alsoOn: [NODE] });
  registry = await startRegistry({ address: NODE });
  work = await mkdtemp(path.join(os.tmpdir(), 'hat-e2e-'));
});
afterAll(async () => {
  await git?.stop();
  await registry?.stop();
  await cluster?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

interface PipelineRun {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { params?: { name: string; value: unknown }[] };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const pipelineRuns = async (): Promise<PipelineRun[]> =>
  ((await custom.listNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: NAMESPACE, plural: 'pipelineruns' })) as { items: PipelineRun[] }).items;

/** Task name → the step images of its newest published version in the committed catalog (what install/v1 holds). */
async function committedInstallImages(): Promise<Record<string, string[]>> {
  const k = parse(await readFile(path.join(repoRoot, 'catalog/install/v1/kustomization.yaml'), 'utf8')) as { resources: string[] };
  const out: Record<string, string[]> = {};
  for (const dir of k.resources) {
    const [task, version] = dir.split('/').slice(-2) as [string, string];
    const yaml = parse(await readFile(path.join(repoRoot, 'catalog/tasks', task, version, `${task}.yaml`), 'utf8')) as { spec: { steps: { image: string }[] } };
    out[`${task}-v1`] = yaml.spec.steps.map((s) => s.image);
  }
  return out;
}

describe('the whole flow on a real cluster', () => {
  it('1. Argo CD syncs the catalog (catalog/install/v1) from git; its Tasks pin the catalog images, present on the node by those digests', async () => {
    const pods = containerdClient(cluster.layout.containerdSocket, 'k8s.io');
    // The task images rebuilt from this checkout: the newest catalog versions rebuild to their pinned digests
    // (test:images checks it), so these are the published images. Imported under the exact pinned references, and
    // under the digest-only form the kubelet looks an image up by.
    images = await publishTaskImages({ registry }, pods, work, log);
    const expected = await committedInstallImages();
    for (const pinned of new Set(Object.values(expected).flat())) {
      const digest = pinned.slice(pinned.lastIndexOf('@') + 1);
      const built = images.images.find((i) => i.digest === digest);
      expect(built, `${pinned}: rebuilt from this checkout to the same digest`).toBeDefined();
      for (const name of [pinned, pinned.replace(/:[^:@/]+@/, '@')]) await pods.ctr(['images', 'tag', '--force', built!.image, name]);
    }
    const url = await catalogRepo(git, NODE);
    await writeFile(path.join(work, 'catalog.creds'), `username=${CATALOG_USER.username}\npassword=${CATALOG_USER.password}\n`);
    const install = await hat(['install', '--catalog-repo', url, '--catalog-credentials', path.join(work, 'catalog.creds'), '--catalog-path', 'catalog/install/v1', '--timeout', '150'], { KUBECONFIG: cluster.layout.adminKubeconfig });
    expect(install.exitCode, install.all).toBe(0);

    const tasks = (await custom.listNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: NAMESPACE, plural: 'tasks' })) as { items: { metadata: { name: string }; spec: { steps: { image: string }[] } }[] };
    expect(Object.fromEntries(tasks.items.map((t) => [t.metadata.name, t.spec.steps.map((s) => s.image)]))).toEqual(expected);
  });

  it('2. the app repo, its pipeline chart and the env objects installed; a signed push to main reaches the EventListener and starts a PipelineRun for test; a wrong signature starts nothing', async () => {
    const app = await git.createRepo('web', WEB_CI);
    appUrl = git.urlOn(NODE, app.url);
    const imageRepository = `${registry.host}/apps/web`;
    const chartRepository = `oci://${registry.host}/charts`;
    // The app: the demo's example web service (busybox httpd, FROM scratch), pushed to main.
    const src = path.join(work, 'web');
    for (const [rel, content] of Object.entries(exampleAppFiles({ name: 'web', imageRepository, chartRepository, gitUrl: appUrl }, { page: 'first version' }))) {
      await mkdir(path.dirname(path.join(src, rel)), { recursive: true });
      await writeFile(path.join(src, rel), content);
    }
    await copyFile('/bin/busybox', path.join(src, 'busybox'));
    const g = (args: string[]) => execa('git', args, { cwd: src, env: { GIT_AUTHOR_NAME: 'Dana', GIT_AUTHOR_EMAIL: 'dana@hat.local', GIT_COMMITTER_NAME: 'Dana', GIT_COMMITTER_EMAIL: 'dana@hat.local' } });
    await g(['init', '--quiet', '--initial-branch', 'main']);
    await g(['add', '.']);
    await g(['commit', '--quiet', '-m', 'web: first version']);
    await g(['push', '--quiet', app.cloneUrlWithAuth, 'main']);
    mainCommit = (await g(['rev-parse', 'HEAD'])).stdout.trim();

    // The test env repo, scaffolded as an SRE does (hat env init + add-app), and its objects for deploy-test.
    const envRepo = await git.createRepo('gitops/test', DEPLOY_TEST);
    const sre = { author: { name: 'SRE', email: 'sre@hat.local' }, log, privateHome: true, auth: { kind: 'basic' as const, ...DEPLOY_TEST } };
    await initEnv({ env: 'test', repoUrl: envRepo.url, branch: 'main', argocdNamespace: 'argocd', project: 'default', destinationServer: 'https://kubernetes.default.svc' }, sre);
    await addApp({ app: 'web', env: 'test', chartRepo: chartRepository, chart: 'web', version: '0.0.0', values: {} }, { url: envRepo.url, branch: 'main' }, sre);
    await writeFile(path.join(work, 'test.env'), `url=${git.urlOn(NODE, envRepo.url)}\nauthor-name=HAT deploy (test)\nauthor-email=deploy-test@hat.local\n`);
    await writeFile(path.join(work, 'test.secret'), `username=${DEPLOY_TEST.username}\npassword=${DEPLOY_TEST.password}\n`);

    // What the PipelineRun mounts: the app repo's credentials, the registry's, the webhook secret.
    const secret = (name: string, stringData: Record<string, string>) => core.createNamespacedSecret({ namespace: NAMESPACE, body: { metadata: { name }, stringData } });
    const appAuth = new URL(appUrl);
    appAuth.username = WEB_CI.username;
    appAuth.password = WEB_CI.password;
    appAuth.pathname = '';
    await secret('web-git', { '.git-credentials': `${appAuth.toString().replace(/\/$/, '')}\n`, '.gitconfig': '[credential]\n\thelper = store\n' });
    await secret('web-registry', { 'config.json': JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${registry.username}:${registry.password}`).toString('base64') } } }) });
    await secret('hat-chart-registry', { username: registry.username, password: registry.password });
    await secret('web-webhook', { secret: WEBHOOK_SECRET });

    // The app's tests run in the cluster's Debian base (sh, coreutils), pinned by digest as the chart requires.
    const pods = containerdClient(cluster.layout.containerdSocket, 'k8s.io');
    const [baseName, , baseDigest] = (await pods.ctr(['images', 'ls'])).split('\n').map((l) => l.split(/\s+/)).find((f) => f[0]!.startsWith('localhost/hat/cluster-base:'))!;
    const shell = `localhost/hat/cluster-base@${baseDigest}`;
    await pods.ctr(['images', 'tag', '--force', baseName!, shell]);
    const values = path.join(work, 'pipeline-values.yaml');
    await writeFile(values, [
      'app: {name: web}',
      `git: {url: "${appUrl}", basicAuthSecret: web-git}`,
      `image: {repository: "${imageRepository}"}`,
      `chart: {path: chart, repository: "${chartRepository}"}`,
      `tests: {enabled: true, image: "${shell}", command: [sh, test.sh]}`,
      'trigger: {secretName: web-webhook}',
      'registry: {insecure: true, dockerConfigSecret: web-registry}',
      '',
    ].join('\n'));
    const install = await hat(['install', '--pipeline-values', values, '--env-config', `test=${path.join(work, 'test.env')}`, '--env-secret', `test=${path.join(work, 'test.secret')}`, '--no-wait'], { KUBECONFIG: cluster.layout.adminKubeconfig });
    expect(install.exitCode, install.all).toBe(0);
    // The EventListener's pod restarts until the core interceptors have their certificate: a bounded wait.
    await waitForWorkload(cluster.config, 'Deployment', NAMESPACE, 'el-web', 180_000);
    const service = await core.readNamespacedService({ name: 'el-web', namespace: NAMESPACE });
    const listener = `http://${service.spec!.clusterIP}:${service.spec!.ports![0]!.port}`;

    const body = githubPush('refs/heads/main', mainCommit, appUrl);
    const refused = await deliverWhenListening(listener, body, { 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': githubSignature('not-the-secret', body) });
    expect(refused.status).toBeLessThan(500);
    await sleep(3_000);
    expect(await pipelineRuns()).toEqual([]);

    const accepted = await deliver(listener, body, { 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': githubSignature(WEBHOOK_SECRET, body) });
    expect(accepted.status).toBe(202);
    const deadline = Date.now() + 30_000;
    let runs: PipelineRun[] = [];
    while (runs.length === 0 && Date.now() < deadline) {
      runs = await pipelineRuns();
      await sleep(500);
    }
    expect(runs).toHaveLength(1);
    firstRun = runs[0]!.metadata.name;
    const params = Object.fromEntries((runs[0]!.spec.params ?? []).map((p) => [p.name, p.value]));
    expect(params).toMatchObject({ 'target-env': 'test', 'git-revision': mainCommit, 'git-ref': 'refs/heads/main', 'git-url': appUrl });
  });

  it('3. the PipelineRun runs every Task as pods from the catalog images; deploy-test commits the version into the test env repo, image and chart pushed', async () => {
    if (!firstRun) throw new Error('step 2 started no PipelineRun');
    const deadline = Date.now() + 480_000;
    let run: PipelineRun | undefined;
    for (;;) {
      run = (await pipelineRuns()).find((r) => r.metadata.name === firstRun);
      const c = run?.status?.conditions?.find((x) => x.type === 'Succeeded');
      if ((c && c.status !== 'Unknown') || Date.now() > deadline) break;
      await sleep(2_000);
    }
    const taskRuns = ((await custom.listNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: NAMESPACE, plural: 'taskruns', labelSelector: `tekton.dev/pipelineRun=${firstRun}` })) as {
      items: { metadata: { labels?: Record<string, string> }; status?: { conditions?: { reason?: string; message?: string }[]; results?: { name: string; value: string }[] } }[];
    }).items;
    const outcome = Object.fromEntries(taskRuns.map((t) => [t.metadata.labels?.['tekton.dev/pipelineTask'], `${t.status?.conditions?.[0]?.reason}${t.status?.conditions?.[0]?.reason === 'Succeeded' ? '' : `: ${t.status?.conditions?.[0]?.message}`}`]));
    // Real Tekton says "Completed" (not "Succeeded") when tasks were skipped: here deploy-stage and deploy-prod, whose
    // when-expressions do not match target-env=test.
    const condition = run?.status?.conditions?.find((x) => x.type === 'Succeeded');
    expect({ condition: [condition?.status, condition?.reason], outcome }).toEqual({
      condition: ['True', 'Completed'],
      outcome: { 'git-clone': 'Succeeded', version: 'Succeeded', tests: 'Succeeded', 'build-image': 'Succeeded', 'helm-package-push': 'Succeeded', 'deploy-test': 'Succeeded' },
    });
    const skipped = (run as unknown as { status: { skippedTasks?: { name: string; reason: string }[] } }).status.skippedTasks ?? [];
    expect(skipped.map((t) => [t.name, t.reason]).sort()).toEqual([['deploy-prod', 'When Expressions evaluated to false'], ['deploy-stage', 'When Expressions evaluated to false']]);

    // One version everywhere: the image tag, the chart version and what deploy-test committed.
    const results = (task: string) => Object.fromEntries((taskRuns.find((t) => t.metadata.labels?.['tekton.dev/pipelineTask'] === task)?.status?.results ?? []).map((r) => [r.name, r.value.trim()]));
    const version = results('version')['version']!;
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const access = { host: registry.host, username: registry.username, password: registry.password };
    expect(await getManifestDigest(access, 'apps/web', version)).toBe(results('build-image')['IMAGE_DIGEST']);
    expect(await getManifestDigest(access, 'charts/web', version)).toBe(results('helm-package-push')['chart-digest']);
    expect(results('deploy-test')['changed']).toBe('true');
    const chart = await execa('git', ['--git-dir', git.repoPath('gitops/test'), 'show', 'main:apps/web/Chart.yaml']);
    expect(chart.stdout).toContain(`version: ${version}`);
  });
});
