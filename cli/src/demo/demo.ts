// `hat demo`: the whole HAT flow on this machine, on embedded defaults, with real servers (test/stack),
// real helm, real buildah and the catalog's Task YAML run by the local runner.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { authEnv, commitPaths, git, pushHead, type GitAuth } from '@hat/git';
import { createHelmHome, template } from '@hat/helm';
import { HatError, registerSecret, type Logger } from '@hat/task-runtime';
import { repoRoot, runPipelineLocally, type PipelineRunResult } from '@hat/task-runner';
import { startStack } from '../../../test/stack/index.ts';
import { targetEnvironment, type EnvironmentRule } from '../env/env-rules.ts';
import { currentVersions, readDeployHistory } from '../env/history.ts';
import { addApp, initEnv } from '../env/operations.ts';
import { renderEnvApp } from '../env/render.ts';
import { catalogResolver } from '../pipeline/resolve-task.ts';
import { exampleAppFiles } from './example-app.ts';
import { chartRegistryObject, dockerConfigWorkspace, gitBasicAuthWorkspace, gitopsObjects, type Credential } from './local-objects.ts';

export interface DemoRow {
  readonly env: string;
  readonly version: string;
  readonly image: string;
  readonly envCommit: string;
  readonly imageMatches: boolean;
}

export interface DemoResult {
  readonly rows: readonly DemoRow[];
  readonly runs: ReadonlyArray<{ ref: string; env: string; status: string; version: string; durationMs: number }>;
}

export interface DemoOptions {
  readonly out: (line: string) => void;
  readonly verbose: boolean;
  readonly log: Logger;
  readonly catalogDir?: string;
}

const APP = 'web';
const ENVS = ['test', 'stage', 'prod'] as const;
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const password = (): string => `pw-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const t0 = performance.now();
  const work = await mkdtemp(path.join(os.tmpdir(), 'hat-demo-'));
  const stack = await startStack();
  try {
    const { git: server, registry } = stack;
    const registryCred: Credential = { username: registry.username, password: registry.password };
    registerSecret(registry.password);
    const chartRepository = `oci://${registry.host}/charts`;
    const imageRepository = `${registry.host}/demo/${APP}`;
    o.out(`▶ stack: git server ${server.url}, OCI registry ${registry.host} (both on 127.0.0.1, stopped at the end)`);

    // 1. Repos: the app repo and one repo per env, each with its own credential.
    const appCred: Credential = { username: 'ci-web', password: password() };
    const envCreds = Object.fromEntries(ENVS.map((env) => [env, { username: `deploy-${env}`, password: password() }])) as Record<(typeof ENVS)[number], Credential>;
    for (const c of [appCred, ...Object.values(envCreds)]) registerSecret(c.password);
    const appRepo = await server.createRepo(`demo/${APP}`, appCred);
    const envUrls: Record<string, string> = {};
    for (const env of ENVS) envUrls[env] = (await server.createRepo(`gitops-${env}`, envCreds[env])).url;
    const sre = { author: { name: 'SRE (hat demo)', email: 'sre@hat.local' }, log: o.log, privateHome: true };
    for (const env of ENVS) {
      const auth: GitAuth = { kind: 'basic', ...envCreds[env] };
      await initEnv({ env, repoUrl: envUrls[env]!, branch: 'main', argocdNamespace: 'argocd', project: 'default', destinationServer: 'https://kubernetes.default.svc' }, { ...sre, auth });
      await addApp({ app: APP, env, chartRepo: chartRepository, chart: APP, version: '0.0.0', values: { replicaCount: env === 'prod' ? 3 : 1, message: `Hello from ${env}` } }, { url: envUrls[env]!, branch: 'main' }, { ...sre, auth });
    }
    o.out(`▶ env repos gitops-test, gitops-stage, gitops-prod scaffolded with hat env init + add-app (one credential each)`);

    // 2. The example app, pushed to its repo.
    const src = path.join(work, 'app');
    await mkdir(src);
    const appAuth: GitAuth = { kind: 'basic', ...appCred };
    const appEnv = await authEnv(appAuth, appRepo.url, path.join(work, 'dev-home'));
    const dev = { name: 'Dana Developer', email: 'dana@hat.local' };
    const writeApp = async (page: string): Promise<void> => {
      for (const [rel, content] of Object.entries(exampleAppFiles({ name: APP, imageRepository, chartRepository, gitUrl: appRepo.url }, { page }))) {
        await mkdir(path.dirname(path.join(src, rel)), { recursive: true });
        await writeFile(path.join(src, rel), content);
      }
    };
    await git(['init', '--quiet', '--initial-branch', 'main', src], { env: appEnv });
    await git(['remote', 'add', 'origin', appRepo.url], { cwd: src, env: appEnv });
    await git(['sparse-checkout', 'disable'], { cwd: src, env: appEnv, okExitCodes: [0, 1, 128] });
    await writeApp('first version');
    await copyFile('/bin/busybox', path.join(src, 'busybox')).catch(() => {
      throw new HatError('the demo app needs a static busybox at /bin/busybox (Debian package busybox-static; scripts/setup.sh installs it)');
    });
    const commitApp = async (subject: string): Promise<string> => commitPaths({ cwd: src, env: appEnv, author: dev, paths: ['.'], subject, trailers: [] });
    await commitApp('web: first version');
    await pushHead({ cwd: src, branch: 'main', env: appEnv, what: 'push of the app repo' });
    o.out(`▶ app repo ${appRepo.url}: a tiny web service, its Dockerfile, its chart (chart/), its pipeline values (.hat/pipeline-values.yaml)`);

    // 3. The pipeline, rendered from charts/pipeline with the app's values by the real helm.
    const values = parse(await readFile(path.join(src, '.hat/pipeline-values.yaml'), 'utf8')) as { environments?: EnvironmentRule[] };
    const home = await createHelmHome(work);
    const rendered = await template(path.join(repoRoot, 'charts/pipeline'), { releaseName: APP, valuesFiles: [path.join(src, '.hat/pipeline-values.yaml')], home });
    await home.dispose();
    const docs = parseAllDocuments(rendered).map((d) => d.toJS() as { kind?: string; spec?: { environments?: unknown } } | null);
    const pipeline = docs.find((d) => d?.kind === 'Pipeline');
    if (!pipeline) throw new HatError('charts/pipeline rendered no Pipeline');
    const chartDefaults = parse(await readFile(path.join(repoRoot, 'charts/pipeline/values.yaml'), 'utf8')) as { environments: EnvironmentRule[] };
    const rules = values.environments ?? chartDefaults.environments;
    o.out(`▶ pipeline rendered from charts/pipeline (${docs.filter(Boolean).map((d) => d!.kind).join(', ')})`);

    // 4. Local objects: per-env deploy Secrets/ConfigMaps, chart registry Secret, credential workspaces.
    const objects = path.join(work, 'objects');
    const mounts: Record<string, string> = { ...(await chartRegistryObject(objects, registryCred)) };
    for (const env of ENVS) Object.assign(mounts, await gitopsObjects(objects, env, envUrls[env]!, envCreds[env]));
    const resolve = catalogResolver(o.catalogDir ?? path.join(repoRoot, 'catalog'), (ref, source) => {
      if (o.verbose) o.out(`    ${ref} ← ${source}`);
    });

    const runs: Array<{ ref: string; env: string; status: string; version: string; durationMs: number }> = [];
    const runPipeline = async (ref: string, revision: string, n: number): Promise<PipelineRunResult> => {
      const env = targetEnvironment(rules, ref);
      if (!env) throw new HatError(`no environment rule matches ${ref}`);
      o.out(`\n▶ run ${n}: push of ${ref} → target env ${env}`);
      const wsRoot = path.join(work, `run-${n}`);
      const workspaces = {
        source: path.join(wsRoot, 'source'),
        dockerconfig: await dockerConfigWorkspace(path.join(wsRoot, 'dockerconfig'), registry.host, registryCred),
        'git-basic-auth': await gitBasicAuthWorkspace(path.join(wsRoot, 'git-basic-auth'), appRepo.url, appCred),
      };
      await mkdir(workspaces.source, { recursive: true });
      const started = performance.now();
      const result = await runPipelineLocally({
        pipeline,
        params: { 'git-url': appRepo.url, 'git-revision': revision, 'git-ref': ref, 'target-env': env },
        workspaces,
        mounts,
        resolveTask: resolve,
        hostCommands: true,
        pipelineRunName: `${APP}-run-${n}`,
        onEvent: (e) => {
          if (e.type === 'start') o.out(`  • ${e.task} [${e.taskRef}] …`);
          else if (e.outcome.status === 'Skipped') { if (o.verbose) o.out(`  ◦ ${e.task} skipped: ${e.outcome.reason ?? ''}`); }
          else o.out(`  ${e.outcome.status === 'Succeeded' ? '✓' : '✗'} ${e.task} ${secs(e.outcome.durationMs)}${e.outcome.status === 'Failed' ? `: ${e.outcome.errorLine ?? ''}` : ''}`);
        },
        onLog: (_task, line) => {
          if (o.verbose) o.out(`      ${line}`);
        },
      });
      const version = result.tasks.find((t) => t.name === 'version')?.results['version'] ?? '?';
      runs.push({ ref, env, status: result.status, version, durationMs: Math.round(performance.now() - started) });
      if (result.status !== 'Succeeded') throw new HatError(`pipeline run ${n} (${ref}) failed in ${result.failure?.task}: ${result.failure?.errorLine}`);
      o.out(`  = ${APP} ${version} deployed to ${env} in ${secs(performance.now() - started)}`);
      return result;
    };

    // 5. Promotion: main → test, a release branch → stage, a tag → prod.
    await runPipeline('refs/heads/main', 'main', 1);
    await git(['switch', '--quiet', '-c', 'release/1.0'], { cwd: src, env: appEnv });
    await writeApp('release 1.0');
    await commitApp('web: prepare release 1.0');
    await pushHead({ cwd: src, branch: 'release/1.0', env: appEnv, what: 'push of the release branch' });
    await runPipeline('refs/heads/release/1.0', 'release/1.0', 2);
    await git(['tag', '-a', 'v1.0.0', '-m', 'web 1.0.0'], { cwd: src, env: { ...appEnv, GIT_COMMITTER_NAME: dev.name, GIT_COMMITTER_EMAIL: dev.email } });
    await git(['push', '--quiet', 'origin', 'refs/tags/v1.0.0'], { cwd: src, env: appEnv, what: 'push of the tag' });
    await runPipeline('refs/tags/v1.0.0', 'v1.0.0', 3);

    // 6. Each env as ArgoCD renders it, and the matrix.
    o.out('\n▶ rendering each env as ArgoCD would (helm dependency build + helm template of apps/web at the env repo head)');
    const rows: DemoRow[] = [];
    const records = (await Promise.all(ENVS.map((env) => readDeployHistory(env, envUrls[env]!, 'main', { kind: 'basic', ...envCreds[env] })))).flat();
    const current = currentVersions(records).get(APP);
    for (const env of ENVS) {
      const version = current?.get(env)?.version ?? '-';
      const r = await renderEnvApp({ env, app: APP, repoUrl: envUrls[env]!, branch: 'main', auth: { kind: 'basic', ...envCreds[env] }, registry: { host: registry.host, ...registryCred, plainHttp: true } });
      const image = r.images[0] ?? '-';
      rows.push({ env, version, image, envCommit: r.commit.slice(0, 12), imageMatches: image === `${imageRepository}:${version}` });
    }
    const width = Math.max(...rows.map((r) => r.image.length), 5);
    o.out(`\n  ${'env'.padEnd(6)}${'version'.padEnd(34)}${'image (rendered)'.padEnd(width + 2)}env commit`);
    for (const r of rows) o.out(`  ${r.env.padEnd(6)}${r.version.padEnd(34)}${r.image.padEnd(width + 2)}${r.envCommit}${r.imageMatches ? '' : '  ✗ image tag ≠ version'}`);
    const ok = rows.every((r) => r.imageMatches);
    o.out(`\n${ok ? '✓' : '✗'} demo ${ok ? 'done' : 'FAILED'} in ${secs(performance.now() - t0)}: ${runs.length} pipeline runs, ${ENVS.length} envs rendered; chart version = image tag = service version in every env.`);
    if (!ok) throw new HatError('an env renders an image whose tag differs from the deployed version');
    return { rows, runs };
  } finally {
    await stack.stop();
    await rm(work, { recursive: true, force: true });
  }
}
