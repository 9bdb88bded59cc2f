// bench/promote: promotion into an env repo with 2,000 apps and 50,000 commits, served over smart HTTP
// (test/stack's nginx + git-http-backend). Medians of N runs each:
//   (a) ours: the deploy-test task end to end (node bundle, as its Task YAML wires it);
//   (b) shell: what tektoncd/catalog's git-cli approach does: git clone --depth 1, sed, commit, push;
//   (c) floor: the least git work any promotion needs: clone --depth 1 --filter=blob:none --sparse of the app folder, sed, commit, push;
//   (d) ours' git work by hand: a clone of the commit, its root tree and the root's entries (--filter=tree:2), the
//       app's folder fetched by id, sed, a commit by fast-import, push. ours/(d) is what node adds.
//   (e) ours in a pod: the task as a service account of a real API server, through the in-cluster landing queue;
//   (f) ours as a CustomRun: created as Tekton creates one for a Pipeline task, served by the deploy controller
//       (HAT_SERVE=custom-runs, a process here with its Deployment's service account), done when its status says so.
// Then 32 concurrent promotions of different apps: as CustomRuns (the deploy controller), ours in pods (the landing
// queue: Leases, @hat/lease-queue), ours outside a cluster (optimistic retries and the git landing queue), and the
// shell baseline: how many landed, wall time, machine CPU per promotion. Last line: concurrent_wall/single is the 32
// CustomRuns over (a), the task alone; concurrent_wall_controller/single_controller over (f), one alone on that path;
// concurrent_wall_queue/single and …/single_in_pod the same for the landing queue.
// The API server: a running `hat cluster up` cluster, else a bare one started for the run (`hat cluster up
// --no-addons`, taken down after it; it needs root and the cluster's programs, built on first use).
// Scale: ours again, interleaved with the above, on env repos of 20,000 apps and 1,000,000 commits (seeded once per
// machine into the user cache, then shared by every run through git alternates), one in the sharded layout
// (apps/<shard>/<app>/, hat.yaml), the layout for repos of thousands of apps, and one flat (apps/<app>/):
// scale20k/2k = the sharded one's median / ours (the 2,000-app repo is flat), scale20k_flat/2k the flat one's.
// Run: npx tsx bench/promote.ts [runs] [apps] [commits] [scale apps] [scale commits]
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { devImage, renderTaskObject } from '@hat/task-spec';
import { runTaskLocally } from '@hat/task-runner';
import { customTaskRef, deployTask } from '@hat/task-deploy';
import { startGitServer } from '../test/stack/index.ts';
import { cachedEntry, inputKey } from '@hat/image';
import { appDir, LAYOUT_FILE, layoutFile, type Layout } from '@hat/gitops';
import { CoreV1Api, CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { applyObjects, clusterDown, clusterLayout, clusterStatus, clusterUp, customRunCrd, deployControllerName, deployControllerObjects, ensureComponent, loadKubeconfig, parseManifests, serviceAccountEnv, type TaskObject } from '@hat/cluster';
import { createLogger } from '@hat/task-runtime';
import { startDeployController } from '../tasks/deploy/test/controller-process.ts';
import { repoRoot, toolsBin } from '@hat/task-runner';
import { childrenCpuMs, machineCpuMs, median, ms, printTable, timeRuns } from './lib.ts';

const RUNS = Number(process.argv[2] ?? 5);
const APPS = Number(process.argv[3] ?? 2000);
const COMMITS = Number(process.argv[4] ?? 50_000);
const SCALE_APPS = Number(process.argv[5] ?? 20_000);
const SCALE_COMMITS = Number(process.argv[6] ?? 1_000_000);
const CRED = { username: 'bench', password: 'bench-Secret-1' };

const chart = (app: string, v: string) => `apiVersion: v2\nname: ${app}\nversion: 0.1.0\ndependencies:\n  - name: ${app}\n    version: ${v}\n    repository: oci://registry.example/charts\n`;
const values = (app: string, v: string) => `# values for ${app}\n${app}:\n  replicaCount: 2\n  image:\n    tag: "${v}"\n`;

/** One fast-import stream: a root commit with every app, then COMMITS small edits spread over the apps. */
function history(): string {
  const out: string[] = [];
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}`;
  const when = 1_700_000_000;
  out.push('commit refs/heads/main', `committer bench <b@x> ${when} +0000`, data('scaffold'));
  out.push(`M 100644 inline README.md`, data('# bench env\n'));
  for (let i = 0; i < APPS; i++) {
    out.push(`M 100644 inline apps/app-${i}/Chart.yaml`, data(chart(`app-${i}`, '1.0.0')));
    out.push(`M 100644 inline apps/app-${i}/values.yaml`, data(values(`app-${i}`, '1.0.0')));
  }
  for (let c = 1; c < COMMITS; c++) {
    const i = c % APPS;
    const v = `1.0.${Math.floor(c / APPS) + 1}`;
    out.push('commit refs/heads/main', `committer bench <b@x> ${when + c} +0000`, data(`deploy(app-${i}): ${v}`));
    out.push(`M 100644 inline apps/app-${i}/Chart.yaml`, data(chart(`app-${i}`, v)));
    out.push(`M 100644 inline apps/app-${i}/values.yaml`, data(values(`app-${i}`, v)));
  }
  return `${out.join('\n')}\n`;
}

/**
 * The large env repo, written by fast-import into `dir` as a stream: a root commit with every app, then commits
 * that each change the root README (cheap to write: the apps tree stays the same object), then, last, one commit per
 * app for the newest `appCommits` (each a new apps tree, as promotions make). Its history is as long as asked and its
 * tree as wide; only the number of distinct apps-tree versions is smaller than a real repo's.
 */
async function seedLarge(dir: string, apps: number, commits: number, appCommits: number, layout: Layout): Promise<void> {
  await execa('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', dir]);
  const proc = execa('git', ['--git-dir', dir, 'fast-import', '--quiet', '--max-pack-size=2g'], { stdin: 'pipe' });
  const write = async (text: string) => {
    if (!proc.stdin!.write(text)) await new Promise((resolve) => proc.stdin!.once('drain', resolve));
  };
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const when = 1_600_000_000;
  const at = (i: number) => appDir(`app-${i}`, layout);
  let chunk = `commit refs/heads/main\ncommitter bench <b@x> ${when} +0000\n${data('scaffold')}M 100644 inline README.md\n${data('# bench env\n')}`;
  if (layout !== 'flat') chunk += `M 100644 inline ${LAYOUT_FILE}\n${data(layoutFile(layout))}`;
  for (let i = 0; i < apps; i++) chunk += `M 100644 inline ${at(i)}/Chart.yaml\n${data(chart(`app-${i}`, '1.0.0'))}M 100644 inline ${at(i)}/values.yaml\n${data(values(`app-${i}`, '1.0.0'))}`;
  await write(chunk);
  chunk = '';
  for (let c = 1; c < commits; c++) {
    if (c < commits - appCommits) {
      chunk += `commit refs/heads/main\ncommitter bench <b@x> ${when + c} +0000\n${data(`chore: ${c}`)}M 100644 inline README.md\n${data(`# bench env\n${c % 1000}\n`)}`;
    } else {
      const i = c % apps;
      chunk += `commit refs/heads/main\ncommitter bench <b@x> ${when + c} +0000\n${data(`deploy(app-${i}): 1.0.1`)}M 100644 inline ${at(i)}/Chart.yaml\n${data(chart(`app-${i}`, '1.0.1'))}M 100644 inline ${at(i)}/values.yaml\n${data(values(`app-${i}`, '1.0.1'))}`;
    }
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  proc.stdin!.end();
  await proc;
  await reverseIndexes(dir);
}

/**
 * Writes each pack's reverse index (.rev), as git 2.41+ does by default and a served repo has: without it, every
 * upload-pack and pack-objects on the server rebuilds it in memory, 40 ms per fetch for a pack of a million objects.
 */
async function reverseIndexes(dir: string): Promise<void> {
  const packs = (await readdir(path.join(dir, 'objects', 'pack'))).filter((f) => f.endsWith('.pack'));
  for (const pack of packs) await execa('git', ['--git-dir', dir, 'index-pack', '--rev-index', path.join(dir, 'objects', 'pack', pack)]);
}

/**
 * A service account with the pipeline chart's landing-queue Role, in a namespace of its own: the step env of a run as
 * it; and the deploy controller's (deployControllerObjects), with Tekton's CustomRun CRD.
 */
async function inCluster(dir: string): Promise<{ env: Record<string, string>; controllerEnv: Record<string, string>; admin: KubeConfig; namespace: string; stop: () => Promise<void> }> {
  const layout = clusterLayout();
  const started = !(await clusterStatus(layout)).running;
  if (started) await clusterUp({ layout, addons: false });
  const admin = loadKubeconfig(layout.adminKubeconfig);
  const core = admin.makeApiClient(CoreV1Api);
  const namespace = `hat-bench-${process.pid}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'bench' } } });
  const rbac = await execa(path.join(toolsBin, 'helm'), ['template', 'bench', path.join(repoRoot, 'charts/pipeline'), '--namespace', namespace, '-f', path.join(repoRoot, 'charts/pipeline/examples/github.yaml'), '--set', 'pipelineRun.serviceAccountName=bench', '--show-only', 'templates/landing-queue-rbac.yaml']);
  await applyObjects(admin, parseManifests(rbac.stdout).map((o) => ({ ...o, metadata: { namespace, ...o.metadata } })));
  await mkdir(dir, { recursive: true });
  const env = await serviceAccountEnv(admin, namespace, 'bench', dir);
  // The deploy controller's CustomRuns (Tekton's CRD alone on a bare cluster), its service account and Roles.
  await applyObjects(admin, await customRunCrd((await ensureComponent('tekton-pipelines', { log: createLogger() })).assets['config']!));
  const task = renderTaskObject(deployTask('test'), { version: 'dev', image: devImage('deploy') }) as unknown as TaskObject;
  await applyObjects(admin, deployControllerObjects(task, { namespace, argocdNamespace: namespace }).filter((o) => o.kind !== 'Deployment'));
  await mkdir(`${dir}-controller`, { recursive: true });
  const controllerEnv = await serviceAccountEnv(admin, namespace, deployControllerName('test'), `${dir}-controller`);
  return {
    env,
    controllerEnv,
    admin,
    namespace,
    stop: async () => {
      if (started) await clusterDown({ layout });
      else await core.deleteNamespace({ name: namespace });
    },
  };
}

const server = await startGitServer();
const work = await mkdtemp(path.join(os.tmpdir(), 'hat-bench-promote-'));
const cluster = await inCluster(path.join(work, 'service-account'));
try {
  const repo = await server.createRepo('gitops-test', CRED);
  const t0 = performance.now();
  await execa('git', ['--git-dir', server.repoPath('gitops-test'), 'fast-import', '--quiet'], { input: history() });
  await execa('git', ['--git-dir', server.repoPath('gitops-test'), '-c', 'pack.writeReverseIndex=true', 'gc', '--quiet']);
  const seeded = performance.now() - t0;
  const count = (await execa('git', ['--git-dir', server.repoPath('gitops-test'), 'rev-list', '--count', 'main'])).stdout;

  const auth = ['-c', `http.extraHeader=Authorization: Basic ${Buffer.from(`${CRED.username}:${CRED.password}`).toString('base64')}`];
  const identity = { GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x' };
  let n = 0;
  const nextVersion = () => `2.${++n}.0`;
  const sedEdit = async (dir: string, app: string, v: string) => {
    await execa('sed', ['-i', '-E', `s/^(    version: ).*/\\1${v}/`, `${dir}/apps/${app}/Chart.yaml`]);
    await execa('sed', ['-i', '-E', `s/^(    tag: ).*/\\1"${v}"/`, `${dir}/apps/${app}/values.yaml`]);
  };
  /** A promotion by hand: `checkout` gets the app's files, then sed, commit, push (no retry). */
  const byHand = (checkout: (app: string) => string[][]) => async (app: string): Promise<boolean> => {
    const dir = await mkdtemp(path.join(work, 'by-hand-'));
    const v = nextVersion();
    const g = (...args: string[]) => execa('git', [...auth, ...args], { cwd: dir, env: identity });
    for (const args of checkout(app)) await g(...args);
    await sedEdit(dir, app, v);
    await g('commit', '--quiet', '-am', `deploy ${app} ${v}`);
    const pushed = await g('push', '--quiet', 'origin', 'HEAD:main').then(() => true, () => false);
    await rm(dir, { recursive: true, force: true });
    return pushed;
  };
  const shell = byHand(() => [['clone', '--quiet', '--depth', '1', repo.url, '.']]);
  const floor = byHand((app) => [
    ['clone', '--quiet', '--depth', '1', '--filter=blob:none', '--sparse', repo.url, '.'],
    ['sparse-checkout', 'set', `apps/${app}`],
  ]);
  /** What ours runs, as git commands by hand (folders.ts): a clone of the root's entries, the app's folder by id, sed, fast-import, push. */
  const oursByHand = async (app: string): Promise<boolean> => {
    const dir = await mkdtemp(path.join(work, 'by-hand-'));
    const v = nextVersion();
    const g = (args: string[], input?: string, env: Record<string, string> = {}) => execa('git', [...auth, ...args], { cwd: dir, env: { ...identity, ...env }, ...(input === undefined ? {} : { input }) });
    await g(['clone', '--quiet', '--depth', '1', '--filter=tree:2', '--no-checkout', '--single-branch', repo.url, '.']);
    const head = (await g(['rev-parse', 'HEAD'])).stdout;
    await g(['ls-tree', '-z', 'HEAD']);
    const oid = (await g(['ls-tree', 'HEAD', '--', `apps/${app}`])).stdout.split(/\s+/)[2]!;
    await g(['-c', 'fetch.negotiationAlgorithm=noop', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', 'origin', oid]);
    const index = { GIT_INDEX_FILE: path.join(dir, '.git', 'by-hand.index') };
    await g(['read-tree', `--prefix=apps/${app}/`, oid], undefined, index);
    await g(['checkout-index', '--all'], undefined, index);
    await sedEdit(dir, app, v);
    const files = [`apps/${app}/Chart.yaml`, `apps/${app}/values.yaml`];
    const oids = (await g(['hash-object', '-w', '--stdin-paths'], `${files.join('\n')}\n`)).stdout.split('\n');
    const msg = `deploy ${app} ${v}`;
    await g(['fast-import', '--quiet', '--depth=0'], `commit refs/heads/main\ncommitter b <b@x> ${Math.floor(Date.now() / 1000)} +0000\ndata ${msg.length}\n${msg}\nfrom ${head}\n${files.map((f, i) => `M 100644 ${oids[i]} ${f}`).join('\n')}\n`);
    const pushed = await g(['push', '--quiet', 'origin', 'HEAD:main']).then(() => true, () => false);
    await rm(dir, { recursive: true, force: true });
    return pushed;
  };
  const task = renderTaskObject(deployTask('test'), { version: 'dev', image: devImage('deploy') });
  /** The deploy-test task end to end into the repo at `url`, its ConfigMap and Secret as files (`env`: a pod's service account). */
  const deployInto = async (url: string, name: string, env?: Record<string, string>): Promise<(app: string) => Promise<boolean>> => {
    const objects = path.join(work, name);
    await mkdir(path.join(objects, 'cm'), { recursive: true });
    await mkdir(path.join(objects, 'secret'), { recursive: true });
    await writeFile(path.join(objects, 'cm', 'url'), url);
    await writeFile(path.join(objects, 'secret', 'username'), CRED.username);
    await writeFile(path.join(objects, 'secret', 'password'), CRED.password);
    return async (app) => {
      const r = await runTaskLocally({
        task,
        params: { app, version: nextVersion() },
        mounts: { 'configmap/hat-gitops-test': path.join(objects, 'cm'), 'secret/hat-gitops-test': path.join(objects, 'secret') },
        ...(env ? { env } : {}),
      });
      if (r.exitCode !== 0) throw new Error(`deploy into ${name} failed: ${r.errorLine ?? r.log}`);
      return true;
    };
  };
  const ours = await deployInto(repo.url, 'objects');
  const oursInPod = await deployInto(repo.url, 'pod-objects', cluster.env);
  // The deploy controller (HAT_SERVE=custom-runs) serving deploy-test's CustomRuns: a promotion is a CustomRun as
  // Tekton creates it for a Pipeline task, done when the controller has set its Succeeded condition (seen by a watch).
  const controller = await startDeployController('test', { config: path.join(work, 'objects', 'cm'), secret: path.join(work, 'objects', 'secret') }, cluster.controllerEnv);
  const customRuns = cluster.admin.makeApiClient(CustomObjectsApi);
  const waiting = new Map<string, (ok: boolean) => void>();
  const runsPath = `/apis/tekton.dev/v1beta1/namespaces/${cluster.namespace}/customruns`;
  const watching = await new Watch(cluster.admin).watch(runsPath, {}, (_type: string, run: { metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }) => {
    const c = run.status?.conditions?.find((x) => x.type === 'Succeeded' && x.status !== 'Unknown');
    if (c) waiting.get(run.metadata.name)?.(c.status === 'True');
  }, () => undefined);
  let runSerial = 0;
  const viaController = async (app: string): Promise<boolean> => {
    const name = `bench-${runSerial++}`;
    const done = new Promise<boolean>((resolve) => waiting.set(name, resolve));
    const params = [{ name: 'app', value: app }, { name: 'version', value: nextVersion() }];
    await customRuns.createNamespacedCustomObject({ group: 'tekton.dev', version: 'v1beta1', namespace: cluster.namespace, plural: 'customruns', body: { apiVersion: 'tekton.dev/v1beta1', kind: 'CustomRun', metadata: { name }, spec: { customRef: customTaskRef('test'), params } } });
    if (!(await done)) throw new Error(`CustomRun ${name} failed: ${controller.lines.slice(-5).join(' | ')}`);
    waiting.delete(name);
    return true;
  };
  // The scale repos: seeded once per machine (minutes each), then shared read-only through alternates (seconds).
  const t1 = performance.now();
  const scaleRepo = async (layout: Layout) => {
    const key = inputKey({ apps: SCALE_APPS, commits: SCALE_COMMITS, chart: chart('a', 'v'), values: values('a', 'v'), layout, v: 3 });
    const { path: large } = await cachedEntry(`bench/env-${SCALE_APPS}-${SCALE_COMMITS}-${layout}-${key}.git`, (tmp) => seedLarge(tmp, SCALE_APPS, SCALE_COMMITS, Math.min(SCALE_APPS, 2000), layout));
    const name = `gitops-scale-${layout}`;
    const created = await server.createRepo(name, CRED);
    await writeFile(path.join(server.repoPath(name), 'objects', 'info', 'alternates'), `${path.join(large, 'objects')}\n`);
    await execa('git', ['--git-dir', server.repoPath(name), 'update-ref', 'refs/heads/main', (await execa('git', ['--git-dir', large, 'rev-parse', 'main'])).stdout]);
    return { url: created.url, count: (await execa('git', ['--git-dir', server.repoPath(name), 'rev-list', '--count', 'main'])).stdout };
  };
  const sharded = await scaleRepo('sharded');
  const flat = await scaleRepo('flat');
  const scaleSeeded = performance.now() - t1;
  const scaleCount = sharded.count;
  const oursScale = await deployInto(sharded.url, 'scale-objects');
  const oursScaleFlat = await deployInto(flat.url, 'scale-flat-objects');

  await ours('app-0'); // builds the bundle once, outside the timing
  await oursInPod('app-0'); // and creates the queue's lock
  await viaController('app-0'); // and the controller's clone, kept from then on
  await oursScale('app-0'); // and the server's first look at the large repos
  await oursScaleFlat('app-0');
  // CPU one promotion costs: the client (the task's node and its git processes, waited for by this process) and the
  // whole machine while it runs (client + nginx, fcgiwrap, git-http-backend; fcgiwrap does not wait for its
  // children, so the server's share is only seen machine-wide): measured around each sequential run of ours.
  const cpuClient: number[] = [];
  const cpuMachine: number[] = [];
  const oursMeasured = async (a: string) => {
    const [c0, m0] = [childrenCpuMs(), machineCpuMs()];
    await ours(a);
    cpuClient.push(childrenCpuMs() - c0);
    cpuMachine.push(machineCpuMs() - m0);
  };

  // Interleaved (ours, shell, floor, by hand, ours, …) so that load drifting over the run hits all alike.
  let app = 1;
  const tOurs: number[] = [];
  const tShell: number[] = [];
  const tFloor: number[] = [];
  const tHand: number[] = [];
  const tPod: number[] = [];
  const tCtl: number[] = [];
  const tScale: number[] = [];
  const tScaleFlat: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    tScale.push(...(await timeRuns(1, () => oursScale(`app-${SCALE_APPS - 1 - i}`))));
    tScaleFlat.push(...(await timeRuns(1, () => oursScaleFlat(`app-${SCALE_APPS - 1 - i}`))));
    tOurs.push(...(await timeRuns(1, () => oursMeasured(`app-${app++}`))));
    tShell.push(...(await timeRuns(1, () => shell(`app-${app++}`))));
    tFloor.push(...(await timeRuns(1, () => floor(`app-${app++}`))));
    tHand.push(...(await timeRuns(1, () => oursByHand(`app-${app++}`))));
    tPod.push(...(await timeRuns(1, () => oursInPod(`app-${app++}`))));
    tCtl.push(...(await timeRuns(1, () => viaController(`app-${app++}`))));
  }

  const concurrent = async (fn: (a: string) => Promise<boolean>) => {
    const base = app;
    app += 32;
    const [t, m0] = [performance.now(), machineCpuMs()];
    const landed = (await Promise.all(Array.from({ length: 32 }, (_, i) => fn(`app-${base + i}`).catch(() => false)))).filter(Boolean).length;
    return { landed, wall: performance.now() - t, cpu: (machineCpuMs() - m0) / 32 };
  };
  const cCtl = await concurrent(viaController);
  const cPod = await concurrent(oursInPod);
  const cOurs = await concurrent(ours);
  const cShell = await concurrent(shell);

  watching.abort();
  await controller.stop();
  if (process.env['HAT_BENCH_CONTROLLER_LOG']) await writeFile(process.env['HAT_BENCH_CONTROLLER_LOG'], `${controller.lines.join('\n')}\n`);
  const [mo, ms_, mf, mh, mscale, mflat, mpod, mctl] = [median(tOurs), median(tShell), median(tFloor), median(tHand), median(tScale), median(tScaleFlat), median(tPod), median(tCtl)];
  console.log(`bench/promote: env repo with ${APPS} apps and ${count} commits over smart HTTP (seeded in ${ms(seeded)}); median of ${RUNS} runs\n`);
  console.log(`scale: env repos with ${SCALE_APPS} apps and ${scaleCount} commits, sharded and flat (from the user cache in ${ms(scaleSeeded)})\n`);
  printTable(
    ['approach', 'median', 'min', 'max', 'vs floor'],
    [
      ['(a) ours: deploy-test task end to end', ms(mo), ms(Math.min(...tOurs)), ms(Math.max(...tOurs)), `${(mo / mf).toFixed(2)}×`],
      ['(b) shell: clone --depth 1, sed, commit, push', ms(ms_), ms(Math.min(...tShell)), ms(Math.max(...tShell)), `${(ms_ / mf).toFixed(2)}×`],
      ['(c) floor: sparse blob-less clone of the app, sed, commit, push', ms(mf), ms(Math.min(...tFloor)), ms(Math.max(...tFloor)), '1.00×'],
      ['(d) ours\' git work by hand: root entries, the folder by id, sed, fast-import, push', ms(mh), ms(Math.min(...tHand)), ms(Math.max(...tHand)), `${(mh / mf).toFixed(2)}×`],
      ['(e) ours in a pod: through the landing queue (Leases), alone', ms(mpod), ms(Math.min(...tPod)), ms(Math.max(...tPod)), `${(mpod / mf).toFixed(2)}×`],
      ['(f) ours as a CustomRun: the deploy controller, alone', ms(mctl), ms(Math.min(...tCtl)), ms(Math.max(...tCtl)), `${(mctl / mf).toFixed(2)}×`],
      [`(a) ours on ${SCALE_APPS} apps / ${scaleCount} commits, sharded`, ms(mscale), ms(Math.min(...tScale)), ms(Math.max(...tScale)), `${(mscale / mf).toFixed(2)}×`],
      [`(a) ours on ${SCALE_APPS} apps / ${scaleCount} commits, flat`, ms(mflat), ms(Math.min(...tScaleFlat)), ms(Math.max(...tScaleFlat)), `${(mflat / mf).toFixed(2)}×`],
    ],
  );
  console.log('');
  printTable(
    ['32 concurrent promotions', 'landed', 'wall time', 'vs (a) single', 'machine CPU each'],
    [
      ['ours as CustomRuns: the deploy controller', `${cCtl.landed}/32`, ms(cCtl.wall), `${(cCtl.wall / mo).toFixed(1)}×`, ms(cCtl.cpu)],
      ['ours in pods: the landing queue (Leases)', `${cPod.landed}/32`, ms(cPod.wall), `${(cPod.wall / mo).toFixed(1)}×`, ms(cPod.cpu)],
      ['ours outside a cluster: optimistic retries, git queue', `${cOurs.landed}/32`, ms(cOurs.wall), `${(cOurs.wall / mo).toFixed(1)}×`, ms(cOurs.cpu)],
      ['shell (no retry)', `${cShell.landed}/32`, ms(cShell.wall), `${(cShell.wall / mo).toFixed(1)}×`, ms(cShell.cpu)],
    ],
  );
  // The ceiling: 32 promotions cannot finish before the machine has done their CPU work, however they are queued.
  // Separately, each promotion pays for its own clone and push; through the landing queue, a batch shares them, and
  // what each run pays alone is its process and its few API calls (measured: machine CPU of the 32 through the queue).
  const cores = os.availableParallelism();
  const cpuOne = Math.max(median(cpuMachine), median(cpuClient));
  const cpuFloor32 = (32 * cpuOne) / cores;
  const cpuFloorQueue = (32 * cPod.cpu) / cores;
  console.log('');
  printTable(
    ['CPU per promotion (median)', 'ms'],
    [
      ['client: the task\'s node and its git', ms(median(cpuClient))],
      ['machine-wide (client and server; run idle)', ms(median(cpuMachine))],
      [`32 separate promotions on ${cores} cores, CPU alone`, ms(cpuFloor32)],
      ['one env repo\'s ceiling, separate promotions (per minute)', (60_000 / (cpuOne / cores)).toFixed(0)],
      ['machine-wide, each of 32 through the landing queue', ms(cPod.cpu)],
      [`32 through the landing queue on ${cores} cores, CPU alone`, ms(cpuFloorQueue)],
      ['one env repo\'s ceiling through the landing queue (per minute)', (60_000 / (cPod.cpu / cores)).toFixed(0)],
      ['machine-wide, each of 32 through the deploy controller', ms(cCtl.cpu)],
      ['one env repo\'s ceiling through the deploy controller (per minute)', (60_000 / (cCtl.cpu / cores)).toFixed(0)],
      ['32 through the deploy controller, as measured (per minute)', ((32 * 60_000) / cCtl.wall).toFixed(0)],
    ],
  );
  console.log(`\npromote: ours/floor=${(mo / mf).toFixed(2)} ours/shell=${(mo / ms_).toFixed(2)} concurrent_landed=${cPod.landed}/32 shell_concurrent_landed=${cShell.landed}/32 concurrent_wall_no_cluster/single=${(cOurs.wall / mo).toFixed(1)} concurrent_wall_queue/single=${(cPod.wall / mo).toFixed(1)} concurrent_wall_queue/single_in_pod=${(cPod.wall / mpod).toFixed(1)} concurrent_wall_controller/single_controller=${(cCtl.wall / mctl).toFixed(1)} concurrent_wall/single=${(cCtl.wall / mo).toFixed(1)} cpu_floor_32/single=${(cpuFloor32 / mo).toFixed(1)} cpu_floor_32_queue/single=${(cpuFloorQueue / mo).toFixed(1)} scale20k_flat/2k=${(mflat / mo).toFixed(2)} scale20k/2k=${(mscale / mo).toFixed(2)}`);
} finally {
  await cluster.stop();
  await server.stop();
  await rm(work, { recursive: true, force: true });
}
