// HAT's whole flow on a real cluster, step by step (each step needs the ones before it): hat cluster up with
// Tekton, Triggers and Argo CD; the test stack's git server and registry on the node address, so pods reach them.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allowPlainHttpRegistry, DEFAULT_NETWORK, podWarningsOf, waitForApplication, waitForWorkload } from '@hat/cluster';
import { APPLICATIONS, type ApplicationStatus } from '@hat/argocd';
import { repoRoot } from '@hat/task-runner';
import { createLogger } from '@hat/task-runtime';
import { importPushed, publishTaskImages, type TaskImages } from '../images/task-images.ts';
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
// One deploy credential per env repo (each deploy Task can write its own env only); one reader for Argo CD and hat status.
const DEPLOYERS = {
  test: { username: 'deploy-test', password: 'deploy-test-token-5678' },
  stage: { username: 'deploy-stage', password: 'deploy-stage-token-3456' },
  prod: { username: 'deploy-prod', password: 'deploy-prod-token-7890' },
} as const;
type Env = keyof typeof DEPLOYERS;
const READER = { username: 'gitops-read', password: 'gitops-read-token-2468' };

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
let testVersion: string;
let listener: string;
let prodInstalled = false;
let appPush: (refspec: string) => Promise<unknown>;
let appGit: (args: string[]) => Promise<{ stdout: string }>;
let imageRepository: string;
let chartRepository: string;
const envUrls: Partial<Record<Env, string>> = {};

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

/** A PipelineRun or TaskRun, as far as these steps read it. */
interface TektonRun {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { params?: { name: string; value: unknown }[] };
  status?: {
    podName?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    results?: { name: string; value: string }[];
    skippedTasks?: { name: string; reason: string }[];
  };
}

const pipelineRuns = async (): Promise<TektonRun[]> =>
  ((await custom.listNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: NAMESPACE, plural: 'pipelineruns' })) as { items: TektonRun[] }).items;

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

/**
 * An env repo scaffolded as an SRE does (hat env init + add-app), reachable by pods and Argo CD on the node address,
 * with its files for hat install (--env-config/--env-secret for the deploy Task, --env-sync for Argo CD), and the
 * app's namespace with the Secret web-pull its pods pull the image with. Returns the --env-config/--env-secret flags.
 */
async function setUpEnv(env: Env): Promise<string[]> {
  const deployer = DEPLOYERS[env];
  const repo = await git.createRepo(`gitops/${env}`, deployer);
  await git.addCredential(`gitops/${env}`, READER);
  const url = git.urlOn(NODE, repo.url);
  envUrls[env] = url;
  const sre = { author: { name: 'SRE', email: 'sre@hat.local' }, log, privateHome: true, auth: { kind: 'basic' as const, ...deployer } };
  // prod in the sharded layout (apps/<shard>/<app>/, its ApplicationSet over apps/*/*), as a repo of thousands of
  // apps would be: the real Argo CD and the deploy Task must find the app there too.
  const layout = env === 'prod' ? { layout: 'sharded' as const } : {};
  await initEnv({ env, repoUrl: url, branch: 'main', argocdNamespace: 'argocd', project: 'default', destinationServer: 'https://kubernetes.default.svc', ...layout }, sre);
  await addApp({ app: 'web', env, chartRepo: chartRepository, chart: 'web', version: '0.0.0', values: { imagePullSecrets: [{ name: 'web-pull' }] } }, { url, branch: 'main' }, sre);
  await writeFile(path.join(work, `${env}.env`), `url=${url}\nauthor-name=HAT deploy (${env})\nauthor-email=deploy-${env}@hat.local\n`);
  // registry-*: read access for the deploy's check of the image and chart digests.
  await writeFile(path.join(work, `${env}.secret`), `username=${deployer.username}\npassword=${deployer.password}\nregistry-username=${registry.username}\nregistry-password=${registry.password}\n`);
  await writeFile(path.join(work, `${env}.sync`), `url=${url}\nusername=${READER.username}\npassword=${READER.password}\n`);
  await core.createNamespace({ body: { metadata: { name: `web-${env}` } } });
  await core.createNamespacedSecret({ namespace: `web-${env}`, body: { metadata: { name: 'web-pull' }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': registryDockerConfig() } } });
  return ['--env-config', `${env}=${path.join(work, `${env}.env`)}`, '--env-secret', `${env}=${path.join(work, `${env}.secret`)}`];
}

/** Waits (bounded) until a TaskRun or PipelineRun is done (its Succeeded condition is no longer Unknown). */
async function doneRun(plural: 'taskruns' | 'pipelineruns', name: string, timeoutMs: number): Promise<TektonRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await custom.getNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: NAMESPACE, plural, name })) as TektonRun;
    const c = run.status?.conditions?.find((x) => x.type === 'Succeeded');
    if (c && c.status !== 'Unknown') return run;
    if (Date.now() > deadline) {
      const pods = await podWarningsOf(core, NAMESPACE, `tekton.dev/${plural === 'taskruns' ? 'taskRun' : 'pipelineRun'}=${name}`);
      throw new Error(`${plural} ${name} not done after ${timeoutMs / 1000} s: ${JSON.stringify(run.status?.conditions ?? [])}${pods ? `; ${pods}` : ''}`);
    }
    await sleep(1_000);
  }
}

/** Creates a TaskRun or PipelineRun and waits (bounded) until it is done. */
async function runToEnd(kind: 'TaskRun' | 'PipelineRun', name: string, spec: unknown, timeoutMs = 240_000): Promise<TektonRun> {
  const plural = kind === 'TaskRun' ? 'taskruns' : 'pipelineruns';
  await custom.createNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: NAMESPACE, plural, body: { apiVersion: 'tekton.dev/v1', kind, metadata: { name }, spec } });
  return doneRun(plural, name, timeoutMs);
}

/** The TaskRuns of a PipelineRun (optionally of one of its pipeline tasks). */
const taskRunsOf = async (pipelineRun: string, task?: string): Promise<TektonRun[]> =>
  ((await custom.listNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: NAMESPACE, plural: 'taskruns', labelSelector: `tekton.dev/pipelineRun=${pipelineRun}${task ? `,tekton.dev/pipelineTask=${task}` : ''}` })) as { items: TektonRun[] }).items;

/** A docker config.json for the test registry (the pipeline's, Argo CD's and the nodes' pull and push Secrets). */
const registryDockerConfig = (): string => JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${registry.username}:${registry.password}`).toString('base64') } } });

/** The branch tip of a repo on the git server, read from its disk. */
const tipOf = async (repo: string): Promise<string> => (await execa('git', ['--git-dir', git.repoPath(repo), 'rev-parse', 'main'])).stdout.trim();

/** The first log line of the (one) pod with these labels that matches, waiting up to timeoutMs; else fails with its log's tail. */
async function logLineOf(labelSelector: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let tail = '';
  for (;;) {
    const pod = (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector })).items[0];
    if (pod) {
      const text = await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: NAMESPACE }).catch(() => '');
      const found = text.split('\n').find((l) => pattern.test(l));
      if (found) return found;
      tail = text.split('\n').slice(-5).join('\n');
    }
    if (Date.now() > deadline) throw new Error(`no log line like ${pattern} from the pod ${labelSelector} within ${Math.round(timeoutMs / 1000)} s; its last lines:\n${tail}`);
    await sleep(1_000);
  }
}

/** The last line a TaskRun's step wrote (where HAT's programs put their error). */
async function lastLogLine(taskRun: TektonRun, step = 'run'): Promise<string> {
  const log = await core.readNamespacedPodLog({ name: taskRun.status!.podName!, namespace: NAMESPACE, container: `step-${step}` });
  return log.trim().split('\n').at(-1)!.replace(/^\S+Z\s+/, '');
}

/** The CustomRuns of a PipelineRun (its custom tasks: a deploy controller's). */
const customRunsOf = async (pipelineRun: string): Promise<TektonRun[]> =>
  ((await custom.listNamespacedCustomObject({ group: 'tekton.dev', version: 'v1beta1', namespace: NAMESPACE, plural: 'customruns', labelSelector: `tekton.dev/pipelineRun=${pipelineRun}` })) as { items: TektonRun[] }).items;

/** Waits (bounded) until the PipelineRun is done; its Succeeded condition, its TaskRuns' and CustomRuns' outcomes and a results reader. */
async function finishedRun(name: string, timeoutMs = 480_000) {
  const run = await doneRun('pipelineruns', name, timeoutMs);
  const taskRuns = [...(await taskRunsOf(name)), ...(await customRunsOf(name))];
  const outcome = Object.fromEntries(taskRuns.map((t) => [t.metadata.labels?.['tekton.dev/pipelineTask'], `${t.status?.conditions?.[0]?.reason}${t.status?.conditions?.[0]?.reason === 'Succeeded' ? '' : `: ${t.status?.conditions?.[0]?.message}`}`]));
  const condition = run.status?.conditions?.find((x) => x.type === 'Succeeded');
  const results = (task: string) => Object.fromEntries((taskRuns.find((t) => t.metadata.labels?.['tekton.dev/pipelineTask'] === task)?.status?.results ?? []).map((r) => [r.name, r.value.trim()]));
  return { run, condition: [condition?.status, condition?.reason], outcome, results };
}

/** Delivers a signed GitHub push of `ref` and returns the PipelineRun it started. */
async function pushEvent(ref: string, commit: string): Promise<TektonRun> {
  const before = new Set((await pipelineRuns()).map((r) => r.metadata.name));
  const body = githubPush(ref, commit, appUrl);
  const accepted = await deliver(listener, body, { 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': githubSignature(WEBHOOK_SECRET, body) });
  expect(accepted.status).toBe(202);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const started = (await pipelineRuns()).filter((r) => !before.has(r.metadata.name));
    if (started.length > 0) {
      expect(started).toHaveLength(1);
      return started[0]!;
    }
    if (Date.now() > deadline) throw new Error(`no PipelineRun started for ${ref} within 30 s`);
    await sleep(500);
  }
}

/** The app as Argo CD runs it in `env`: its Deployment's image and what its Service answers at /version. */
async function appInEnv(env: Env): Promise<{ image: string; answer: [number, string] }> {
  const ns = `web-${env}`;
  await waitForWorkload(cluster.config, 'Deployment', ns, 'web', 180_000);
  const deployment = await cluster.config.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'web', namespace: ns });
  const service = await core.readNamespacedService({ name: 'web', namespace: ns });
  // Ready Pods reach the Service once kube-proxy has synced its endpoints: a bounded wait for the first answer.
  const url = `http://${service.spec!.clusterIP}:${service.spec!.ports![0]!.port}/version`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await fetch(url).catch((err: unknown) => (Date.now() > deadline ? Promise.reject(err) : undefined));
    if (answer) return { image: deployment.spec!.template.spec!.containers[0]!.image!, answer: [answer.status, (await answer.text()).trim()] };
    await sleep(500);
  }
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
    // The pipeline chart's webhook verifier runs in HAT's base image, the default of trigger.verifier.image: the base
    // publish just rebuilt and pushed must be that very image (same digest), imported under the chart's name for it.
    const verifierImage = (parse(await readFile(path.join(repoRoot, 'charts/pipeline/values.yaml'), 'utf8')) as { trigger: { verifier: { image: string } } }).trigger.verifier.image;
    await importPushed({ registry }, pods, work, 'base', verifierImage).catch((err: unknown) => {
      throw new Error(`charts/pipeline/values.yaml trigger.verifier.image ${verifierImage}: not the base this checkout builds (${(err as Error).message.split('\n')[0]})`);
    });
    const url = await catalogRepo(git, NODE);
    await writeFile(path.join(work, 'catalog.creds'), `username=${CATALOG_USER.username}\npassword=${CATALOG_USER.password}\n`);
    const install = await hat(['install', '--catalog-repo', url, '--catalog-credentials', path.join(work, 'catalog.creds'), '--catalog-path', 'catalog/install/v1', '--timeout', '150'], { KUBECONFIG: cluster.layout.adminKubeconfig });
    expect(install.exitCode, install.all).toBe(0);

    const tasks = (await custom.listNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: NAMESPACE, plural: 'tasks' })) as { items: { metadata: { name: string }; spec: { steps: { image: string }[] } }[] };
    expect(Object.fromEntries(tasks.items.map((t) => [t.metadata.name, t.spec.steps.map((s) => s.image)]))).toEqual(expected);
  });

  it('2. the app repo, its pipeline chart and the env objects installed; a signed push to main reaches the EventListener and starts a PipelineRun for test; a wrong signature starts nothing and the EventListener\'s log says why', async () => {
    const app = await git.createRepo('web', WEB_CI);
    appUrl = git.urlOn(NODE, app.url);
    imageRepository = `${registry.host}/apps/web`;
    chartRepository = `oci://${registry.host}/charts`;
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
    appPush = (refspec) => g(['push', '--quiet', app.cloneUrlWithAuth, refspec]);
    appGit = g;

    // The test env repo and its objects for deploy-test.
    const testFlags = await setUpEnv('test');

    // What the PipelineRun mounts: the app repo's credentials, the registry's, the webhook secret.
    const secret = (name: string, stringData: Record<string, string>) => core.createNamespacedSecret({ namespace: NAMESPACE, body: { metadata: { name }, stringData } });
    const appAuth = new URL(appUrl);
    appAuth.username = WEB_CI.username;
    appAuth.password = WEB_CI.password;
    appAuth.pathname = '';
    await secret('web-git', { '.git-credentials': `${appAuth.toString().replace(/\/$/, '')}\n`, '.gitconfig': '[credential]\n\thelper = store\n' });
    await secret('web-registry', { 'config.json': registryDockerConfig() });
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
      // Stage and prod deploys wait until Argo CD runs their commit (the chart lets the runs read Applications).
      // Stage's is a custom task its deploy controller serves (no pod per deploy; hat install --deploy-controller).
      'environments: [{name: test, branches: [main]}, {name: stage, branches: ["release/*"], waitForSync: true, controller: true}, {name: prod, tags: ["v*"], waitForSync: true}]',
      'argocd: {syncTimeout: 3m}',
      '',
    ].join('\n'));
    const install = await hat(['install', '--pipeline-values', values, ...testFlags, '--no-wait'], { KUBECONFIG: cluster.layout.adminKubeconfig });
    expect(install.exitCode, install.all).toBe(0);
    // The EventListener's pod restarts until the core interceptors have their certificate: a bounded wait. The
    // webhook verifier (the chart's, in HAT's base image) is the listener's first interceptor.
    await waitForWorkload(cluster.config, 'Deployment', NAMESPACE, 'web-webhook-verifier', 120_000).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}; ${await podWarningsOf(core, NAMESPACE, 'hat.dev/webhook-verifier=web')}`);
    });
    await waitForWorkload(cluster.config, 'Deployment', NAMESPACE, 'el-web', 180_000);
    const service = await core.readNamespacedService({ name: 'el-web', namespace: NAMESPACE });
    listener = `http://${service.spec!.clusterIP}:${service.spec!.ports![0]!.port}`;

    const body = githubPush('refs/heads/main', mainCommit, appUrl);
    const refused = await deliverWhenListening(listener, body, { 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': githubSignature('not-the-secret', body) });
    expect(refused.status).toBeLessThan(500);
    // The EventListener's log says why, as an error: the header, the Secret to compare with; never a secret.
    const why = await logLineOf('eventlistener=web', /interceptor response was not 200: refused: X-Hub-Signature-256 is not the HMAC-SHA256 of the body with the webhook secret/, 30_000);
    expect(why).toContain(`set the webhook's secret at the provider to the value of Secret ${NAMESPACE}/web-webhook key secret`);
    expect(why).toMatch(/"severity":"error"/);
    const verifierLine = await logLineOf('hat.dev/webhook-verifier=web', /warning: refused: X-Hub-Signature-256/, 10_000);
    for (const line of [why, verifierLine]) expect(line).not.toMatch(new RegExp(`${WEBHOOK_SECRET}|not-the-secret|sha256=`));
    expect(await pipelineRuns()).toEqual([]);

    const run = await pushEvent('refs/heads/main', mainCommit);
    firstRun = run.metadata.name;
    const params = Object.fromEntries((run.spec?.params ?? []).map((p) => [p.name, p.value]));
    expect(params).toMatchObject({ 'target-env': 'test', 'git-revision': mainCommit, 'git-ref': 'refs/heads/main', 'git-url': appUrl });
  });

  it('3. the PipelineRun runs every Task as pods from the catalog images; deploy-test commits the version into the test env repo, image and chart pushed', async () => {
    if (!firstRun) throw new Error('step 2 started no PipelineRun');
    const { run, condition, outcome, results } = await finishedRun(firstRun);
    // Real Tekton says "Completed" (not "Succeeded") when tasks were skipped: here deploy-stage and deploy-prod, whose
    // when-expressions do not match target-env=test.
    expect({ condition, outcome }).toEqual({
      condition: ['True', 'Completed'],
      outcome: { 'git-clone': 'Succeeded', version: 'Succeeded', tests: 'Succeeded', 'build-image': 'Succeeded', 'helm-package-push': 'Succeeded', 'deploy-test': 'Succeeded' },
    });
    const skipped = run.status?.skippedTasks ?? [];
    expect(skipped.map((t) => [t.name, t.reason]).sort()).toEqual([['deploy-prod', 'When Expressions evaluated to false'], ['deploy-stage', 'When Expressions evaluated to false']]);

    // One version everywhere: the image tag, the chart version and what deploy-test committed.
    const version = results('version')['version']!;
    expect(version).toMatch(/^0\.0\.1-main\.1\.g[0-9a-f]{7}$/);
    testVersion = version;
    const access = { host: registry.host, username: registry.username, password: registry.password };
    expect(await getManifestDigest(access, 'apps/web', version)).toBe(results('build-image')['IMAGE_DIGEST']);
    expect(await getManifestDigest(access, 'charts/web', version)).toBe(results('helm-package-push')['chart-digest']);
    expect(results('deploy-test')['changed']).toBe('true');
    const chart = await execa('git', ['--git-dir', git.repoPath('gitops/test'), 'show', 'main:apps/web/Chart.yaml']);
    expect(chart.stdout).toContain(`version: ${version}`);
    // In its pod, deploy-test went through the env repo's landing queue (Leases, the pipeline chart's Role), and left
    // the queue's lock free.
    const deployPod = (await taskRunsOf(firstRun, 'deploy-test'))[0]!.status!.podName!;
    const deployLog = await core.readNamespacedPodLog({ name: deployPod, namespace: NAMESPACE, container: 'step-run' });
    expect(deployLog).toMatch(/queue hat-deploy-test-[0-9a-f]{12}: landed 1 request in one push/);
    expect(deployLog).not.toContain('deploying without the landing queue');
  });

  it('4. Argo CD follows the test env repo: the app Deployment runs <repository>:<version> and answers HTTP with that version through its Service', async () => {
    if (!testVersion) throw new Error('step 3 deployed no version');
    // The node pulls the app image from the registry on the node address over plain HTTP (with the Secret web-pull).
    await allowPlainHttpRegistry(cluster.layout, registry.host);
    // Argo CD reads the env repo (the ApplicationSet in its argocd/ folder) and pulls the app chart the umbrella chart depends on.
    await writeFile(path.join(work, 'charts.creds'), `url=${chartRepository}\nusername=${registry.username}\npassword=${registry.password}\n`);
    const install = await hat(['install', '--env-sync', `test=${path.join(work, 'test.sync')}`, '--chart-registry-credentials', path.join(work, 'charts.creds')], { KUBECONFIG: cluster.layout.adminKubeconfig });
    expect(install.exitCode, install.all).toBe(0);
    expect(install.all).not.toContain(READER.password);
    await waitForApplication(cluster.config, 'argocd', 'hat-env-test', 180_000);
    const app = await waitForApplication(cluster.config, 'argocd', 'test-web', 240_000);
    expect(app.sync?.revision).toBe(await tipOf('gitops/test'));
    expect(await appInEnv('test')).toEqual({ image: `${imageRepository}:${testVersion}`, answer: [200, testVersion] });

    // hat deploy --wait from the machine: the version is there already (unchanged), so it waits for the head it found.
    const deploy = await hat(['deploy', 'web', testVersion, '--env', 'test', '--repo', envUrls.test!, '--author', 'SRE <sre@hat.local>', '--wait', '--sync-timeout', '2m'], {
      KUBECONFIG: cluster.layout.adminKubeconfig,
      HAT_GIT_USERNAME: DEPLOYERS.test.username,
      HAT_GIT_PASSWORD: DEPLOYERS.test.password,
    });
    expect(deploy.exitCode, deploy.all).toBe(0);
    expect(deploy.stdout.trim().split('\n')).toEqual([`unchanged web ${testVersion} → ${testVersion} (test)`, `running in test: test-web at ${(await tipOf('gitops/test')).slice(0, 12)}`]);
    expect(deploy.all).not.toContain(DEPLOYERS.test.password);
  });

  it('5. release/1.0 goes to stage and the tag v1.0.0 to prod, each through its own deploy Task and env repo, which waits until Argo CD runs its commit (wait-for-sync); hat status --repo and --cluster agree', async () => {
    if (!testVersion) throw new Error('step 3 deployed no version');
    // Argo CD follows the stage and prod env repos before anything is deployed there: their deploys wait for it.
    const sync = ['stage', 'prod'].flatMap((env) => ['--env-sync', `${env}=${path.join(work, `${env}.sync`)}`]);
    const install = await hat(['install', ...(await setUpEnv('stage')), ...(await setUpEnv('prod')), ...sync, '--deploy-controller', 'stage', '--no-wait'], { KUBECONFIG: cluster.layout.adminKubeconfig });
    expect(install.exitCode, install.all).toBe(0);
    prodInstalled = true;
    const versions: Partial<Record<Env, string>> = { test: testVersion };
    // The release line first (its version is a pre-release of the line), then the release tag on its commit.
    await appPush('main:refs/heads/release/1.0');
    const stage = await finishedRun((await pushEvent('refs/heads/release/1.0', mainCommit)).metadata.name);
    await appGit(['tag', '-a', 'v1.0.0', '-m', 'web 1.0.0']);
    await appPush('refs/tags/v1.0.0');
    const prod = await finishedRun((await pushEvent('refs/tags/v1.0.0', mainCommit)).metadata.name);
    for (const [env, r] of [['stage', stage], ['prod', prod]] as const) {
      expect({ env, condition: r.condition, deploy: r.outcome[`deploy-${env}`] }).toEqual({ env, condition: ['True', 'Completed'], deploy: 'Succeeded' });
      expect(Object.keys(r.outcome).filter((t) => t.startsWith('deploy-'))).toEqual([`deploy-${env}`]);
      versions[env] = r.results('version')['version']!;
    }
    expect(versions.stage).toMatch(/^1\.0\.0-rc\.1\.g[0-9a-f]{7}$/);
    expect(versions.prod).toBe('1.0.0');

    // Stage's deploy was a CustomRun, served by its deploy controller (a Deployment running the catalog's deploy-stage
    // image): no TaskRun, no pod of its own.
    expect(await taskRunsOf(stage.run.metadata.name, 'deploy-stage')).toEqual([]);
    expect((await customRunsOf(stage.run.metadata.name)).map((c) => c.metadata.labels?.['tekton.dev/pipelineTask'])).toEqual(['deploy-stage']);
    // wait-for-sync: each deploy ended only once Argo CD ran its commit, so when the run is done the app runs it.
    for (const [env, r] of [['stage', stage], ['prod', prod]] as const) {
      const commit = r.results(`deploy-${env}`)['commit']!;
      expect(commit).toBe(await tipOf(`gitops/${env}`));
      const synced = `Argo CD runs ${commit.slice(0, 12)}: ${env}-web Synced and Healthy`;
      if (env === 'stage') expect(await logLineOf('app.kubernetes.io/name=hat-deploy-controller,hat.dev/env=stage', new RegExp(synced), 10_000)).toMatch(new RegExp(`${synced}$`));
      else expect(await lastLogLine((await taskRunsOf(r.run.metadata.name, `deploy-${env}`))[0]!)).toBe(synced);
      const app = (await custom.getNamespacedCustomObject({ ...APPLICATIONS, namespace: 'argocd', name: `${env}-web` })) as { status: ApplicationStatus };
      expect([app.status.sync?.status, app.status.sync?.revision, app.status.health?.status]).toEqual(['Synced', commit, 'Healthy']);
      expect(await appInEnv(env)).toEqual({ image: `${imageRepository}:${versions[env]}`, answer: [200, versions[env]] });
    }

    // What the env repos say (git) and what the cluster runs agree, app × env, with each env's last PipelineRun.
    const status = await hat(['status', '--repo', `test=${envUrls.test}`, '--repo', `stage=${envUrls.stage}`, '--repo', `prod=${envUrls.prod}`, '--cluster', '--json'], {
      KUBECONFIG: cluster.layout.adminKubeconfig,
      HAT_GIT_USERNAME: READER.username,
      HAT_GIT_PASSWORD: READER.password,
    });
    expect(status.exitCode, status.all).toBe(0);
    const rows = JSON.parse(status.stdout) as { app: string; env: string; git: string; cluster: { runningVersions: string[]; sync: string; health: string; lastRun: { outcome: string } } }[];
    expect(rows.map((r) => [r.app, r.env, r.git, r.cluster.runningVersions, r.cluster.sync, r.cluster.health, r.cluster.lastRun.outcome])).toEqual(
      (['test', 'stage', 'prod'] as const).map((env) => ['web', env, versions[env], [versions[env]], 'Synced', 'Healthy', 'Completed']),
    );
  });

  it('6. the bundles resolver: a TaskRun resolves git-clone from its catalog bundle in the registry, by digest, and clones the app', async () => {
    const published = images.published.filter((p) => p.task === 'git-clone').at(-1)!;
    // The bundle as pushed to this run's registry (the catalog records the public registry name, same digest).
    const bundle = `${registry.host}/hat-project/${published.bundle.split('/hat-project/')[1]!.replace(/:[^:@/]+@/, '@')}`;
    expect(bundle).toMatch(/@sha256:[0-9a-f]{64}$/);
    await core.createNamespacedSecret({ namespace: NAMESPACE, body: { metadata: { name: 'catalog-pull' }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': registryDockerConfig() } } });
    const run = await runToEnd('TaskRun', 'bundle-git-clone', {
      taskRef: { resolver: 'bundles', params: [{ name: 'bundle', value: bundle }, { name: 'name', value: 'git-clone' }, { name: 'kind', value: 'task' }, { name: 'secret', value: 'catalog-pull' }] },
      params: [{ name: 'url', value: appUrl }, { name: 'revision', value: mainCommit }],
      workspaces: [{ name: 'output', emptyDir: {} }, { name: 'basic-auth', secret: { secretName: 'web-git' } }],
    });
    expect(run.status?.conditions?.[0]?.reason, JSON.stringify(run.status?.conditions)).toBe('Succeeded');
    expect(Object.fromEntries((run.status?.results ?? []).map((r) => [r.name, r.value.trim()]))['commit']).toBe(mainCommit);
  });

  it('7. failures a user meets, each with a clear line in the run: a workspace the steps cannot write, an unreachable registry, a refused env credential, a missing hat-gitops-<env>, a commit Argo CD cannot run (wait-for-sync)', async () => {
    if (!prodInstalled) throw new Error('step 5 set up no prod env');
    // A hand-written PipelineRun whose volume has no fsGroup: git-clone (uid 65532) cannot write it and says how to fix it.
    const pvc = { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } } } };
    const cloneAndBuild = (image: string) => ({
      workspaces: [{ name: 'source' }],
      tasks: [
        { name: 'clone', taskRef: { name: 'git-clone-v1' }, params: [{ name: 'url', value: appUrl }, { name: 'revision', value: mainCommit }], workspaces: [{ name: 'output', workspace: 'source' }, { name: 'basic-auth', workspace: 'git' }] },
        { name: 'build', runAfter: ['clone'], taskRef: { name: 'build-image-v1' }, params: [{ name: 'image', value: image }, { name: 'tag', value: '9.9.9' }, { name: 'tls-verify', value: 'false' }], workspaces: [{ name: 'source', workspace: 'source' }] },
      ],
    });
    const withGit = (spec: ReturnType<typeof cloneAndBuild>) => ({ ...spec, workspaces: [...spec.workspaces, { name: 'git' }] });
    const taskRunOf = async (pipelineRun: string, task: string) => (await taskRunsOf(pipelineRun, task))[0]!;
    const noFsGroup = await runToEnd('PipelineRun', 'no-fsgroup', { pipelineSpec: withGit(cloneAndBuild(`${registry.host}/apps/never`)), workspaces: [{ name: 'source', ...pvc }, { name: 'git', secret: { secretName: 'web-git' } }] });
    expect(noFsGroup.status?.conditions?.[0]?.reason).toBe('Failed');
    expect(await lastLogLine(await taskRunOf('no-fsgroup', 'clone'))).toMatch(/^error: workspace output \(\/workspace\/output\) is not writable by this step's user \(uid 65532 gid 65532\): the volume belongs to uid 0 gid 0 with mode 755\. Set the PipelineRun's podTemplate securityContext fsGroup/);

    // With fsGroup the clone works; the registry is not reachable from the pod: bounded retries, then one line naming it.
    const unreachable = await runToEnd('PipelineRun', 'registry-unreachable', {
      pipelineSpec: withGit(cloneAndBuild(`${NODE}:9/apps/web`)),
      workspaces: [{ name: 'source', ...pvc }, { name: 'git', secret: { secretName: 'web-git' } }],
      taskRunTemplate: { podTemplate: { securityContext: { fsGroup: 65532 } } },
    }, 480_000);
    expect(unreachable.status?.conditions?.[0]?.reason).toBe('Failed');
    expect(await lastLogLine(await taskRunOf('registry-unreachable', 'build'))).toMatch(new RegExp(`^error: .*${NODE.replace(/\./g, '\\.')}:9.*`));

    // deploy-prod with the test env's credential: the prod repo refuses it; nothing pushed, no secret in the log.
    const prodHead = await tipOf('gitops/prod');
    await core.replaceNamespacedSecret({ name: 'hat-gitops-prod', namespace: NAMESPACE, body: { metadata: { name: 'hat-gitops-prod', namespace: NAMESPACE }, type: 'kubernetes.io/basic-auth', stringData: DEPLOYERS.test } });
    const refused = await runToEnd('TaskRun', 'deploy-prod-refused', { taskRef: { name: 'deploy-prod-v1' }, params: [{ name: 'app', value: 'web' }, { name: 'version', value: '1.0.1' }] });
    expect(refused.status?.conditions?.[0]?.reason).toBe('Failed');
    const refusedLine = await lastLogLine(refused);
    expect(refusedLine).toMatch(/^error: prod repo http:\/\/\S+\/gitops\/prod\.git: authentication refused; check its credentials$/);
    expect(refusedLine).not.toContain(DEPLOYERS.test.password);
    expect(await tipOf('gitops/prod')).toBe(prodHead);

    // Without hat-gitops-prod the TaskRun fails at once (no Pod Pending on FailedMount) and says how to create it.
    await core.deleteNamespacedConfigMap({ name: 'hat-gitops-prod', namespace: NAMESPACE });
    await core.deleteNamespacedSecret({ name: 'hat-gitops-prod', namespace: NAMESPACE });
    const missing = await runToEnd('TaskRun', 'deploy-prod-missing', { taskRef: { name: 'deploy-prod-v1' }, params: [{ name: 'app', value: 'web' }, { name: 'version', value: '1.0.1' }] }, 120_000);
    expect(missing.status?.conditions?.[0]?.reason).toBe('Failed');
    expect(await lastLogLine(missing)).toBe('error: ConfigMap hat-gitops-prod is missing or empty in this namespace, so the prod env repo is unknown: create it with hat install --env-config prod=FILE (keys url, optional branch, author-name, author-email)');

    // wait-for-sync when Argo CD cannot run the commit (its chart version was never published): the deploy lands,
    // then the run fails after sync-timeout with the Application's state and its own message.
    const neverBuilt = await runToEnd('TaskRun', 'deploy-test-unsynced', {
      taskRef: { name: 'deploy-test-v1' },
      params: [{ name: 'app', value: 'web' }, { name: 'version', value: '9.9.9' }, { name: 'wait-for-sync', value: 'true' }, { name: 'sync-timeout', value: '90s' }],
    }, 240_000);
    expect(neverBuilt.status?.conditions?.[0]?.reason).toBe('Failed');
    const unsynced = await lastLogLine(neverBuilt);
    log.info(`deploy-test-unsynced: ${unsynced}`);
    // Argo CD's state as it was at the timeout: still at the previous revision, or failing to render 9.9.9 (its message).
    expect(unsynced).toMatch(new RegExp(`^error: Argo CD did not run test's commit ${(await tipOf('gitops/test')).slice(0, 12)} of web within 90 s: test-web is \\w+/\\w+ at [0-9a-f]{12}( \\(.+\\))?(; it has not picked up the commit yet \\(.+\\))?$`));
  });
});
