// A local stand-in for the platform an app's pipeline runs on: the real git server and OCI registry from
// test/stack, one env repo per environment (scaffolded by hat env init + add-app, one credential each),
// the Secrets/ConfigMaps the tasks mount, and the pipeline run by the local runner from the catalog's Task YAML.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { GitAuth } from '@hat/git';
import { createHelmHome, template } from '@hat/helm';
import { HatError, registerSecret, type Logger } from '@hat/task-runtime';
import { repoRoot, runPipelineLocally } from '@hat/task-runner';
import { startStack, type GitRepo, type Stack } from '../../../test/stack/index.ts';
import { targetEnvironment, type EnvironmentRule } from '../env/env-rules.ts';
import { currentVersions, readDeployHistory } from '@hat/task-deploy';
import { addApp, initEnv } from '../env/operations.ts';
import { renderEnvApp } from '../env/render.ts';
import { catalogResolver } from '../pipeline/resolve-task.ts';
import { chartRegistryObject, dockerConfigWorkspace, gitBasicAuthWorkspace, gitopsObjects, type Credential } from './local-objects.ts';

export interface PlatformOptions {
  readonly app: string;
  readonly envs: readonly string[];
  readonly out: (line: string) => void;
  readonly verbose: boolean;
  readonly log: Logger;
  readonly catalogDir?: string;
  /** Env-specific values per env for `hat env add-app`. */
  readonly envValues?: (env: string) => Record<string, unknown>;
  /** env → the env whose runs it takes (its ConfigMap's require-upstream), e.g. { prod: 'stage' }. */
  readonly upstreams?: Readonly<Record<string, string>>;
}

export interface PipelineRunSummary {
  readonly ref: string;
  readonly env: string;
  readonly status: string;
  readonly version: string;
  readonly durationMs: number;
}

export interface EnvRow {
  readonly env: string;
  readonly version: string;
  readonly image: string;
  readonly envCommit: string;
  readonly imageMatches: boolean;
}

export interface LocalPlatform {
  readonly work: string;
  readonly stack: Stack;
  readonly chartRepository: string;
  readonly imageRepository: string;
  readonly appRepo: GitRepo;
  readonly appCred: Credential;
  /** Renders charts/pipeline with these values files (the real helm) and returns its Pipeline. */
  renderPipeline(valuesFiles: readonly string[], set?: Record<string, string>): Promise<unknown>;
  /** Runs the pipeline for a pushed ref, as the EventListener would start it; throws with the failing step's error line. */
  runPipeline(pipeline: unknown, rules: readonly EnvironmentRule[], ref: string, revision: string, n: number): Promise<PipelineRunSummary>;
  /** Each env as ArgoCD renders it, with the deployed version read from the env repos' history. */
  renderEnvs(): Promise<EnvRow[]>;
  stop(): Promise<void>;
}

const password = (): string => `pw-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
export const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export async function startLocalPlatform(o: PlatformOptions): Promise<LocalPlatform> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'hat-local-'));
  const stack = await startStack();
  try {
    const { git: server, registry } = stack;
    const registryCred: Credential = { username: registry.username, password: registry.password };
    registerSecret(registry.password);
    const chartRepository = `oci://${registry.host}/charts`;
    const imageRepository = `${registry.host}/apps/${o.app}`;
    o.out(`▶ stack: git server ${server.url}, OCI registry ${registry.host} (both on 127.0.0.1, stopped at the end)`);

    const appCred: Credential = { username: `ci-${o.app}`, password: password() };
    const envCreds = Object.fromEntries(o.envs.map((env) => [env, { username: `deploy-${env}`, password: password() }])) as Record<string, Credential>;
    for (const c of [appCred, ...Object.values(envCreds)]) registerSecret(c.password);
    const appRepo = await server.createRepo(`apps/${o.app}`, appCred);
    const envUrls: Record<string, string> = {};
    for (const env of o.envs) envUrls[env] = (await server.createRepo(`gitops-${env}`, envCreds[env]!)).url;
    const sre = { author: { name: 'SRE (hat local)', email: 'sre@hat.local' }, log: o.log, privateHome: true };
    for (const env of o.envs) {
      const auth: GitAuth = { kind: 'basic', ...envCreds[env]! };
      await initEnv({ env, repoUrl: envUrls[env]!, branch: 'main', argocdNamespace: 'argocd', project: 'default', destinationServer: 'https://kubernetes.default.svc' }, { ...sre, auth });
      await addApp({ app: o.app, env, chartRepo: chartRepository, chart: o.app, version: '0.0.0', values: o.envValues?.(env) ?? {} }, { url: envUrls[env]!, branch: 'main' }, { ...sre, auth });
    }
    o.out(`▶ env repos ${o.envs.map((e) => `gitops-${e}`).join(', ')} scaffolded with hat env init + add-app (one credential each)`);

    const objects = path.join(work, 'objects');
    const mounts: Record<string, string> = { ...(await chartRegistryObject(objects, registryCred)) };
    for (const env of o.envs) {
      const from = o.upstreams?.[env];
      // A read credential of its own on the upstream env repo (the git server does not tell read from write).
      const reader = from ? { username: `${env}-reads-${from}`, password: password() } : undefined;
      if (from && reader) await server.addCredential(`gitops-${from}`, reader);
      Object.assign(mounts, await gitopsObjects(objects, env, envUrls[env]!, envCreds[env]!, registryCred, from && reader ? { env: from, url: envUrls[from]!, cred: reader } : undefined));
    }
    const resolve = catalogResolver(o.catalogDir ?? path.join(repoRoot, 'catalog'), (ref, source) => {
      if (o.verbose) o.out(`    ${ref} ← ${source}`);
    });

    return {
      work,
      stack,
      chartRepository,
      imageRepository,
      appRepo,
      appCred,
      async renderPipeline(valuesFiles, set) {
        const home = await createHelmHome(work);
        try {
          const rendered = await template(path.join(repoRoot, 'charts/pipeline'), { releaseName: o.app, valuesFiles, ...(set ? { setString: set } : {}), home });
          const docs = parseAllDocuments(rendered).map((d) => d.toJS() as { kind?: string } | null).filter((d) => d !== null);
          const pipeline = docs.find((d) => d.kind === 'Pipeline');
          if (!pipeline) throw new HatError('charts/pipeline rendered no Pipeline');
          o.out(`▶ pipeline rendered from charts/pipeline by helm (${docs.map((d) => d.kind).join(', ')})`);
          return pipeline;
        } finally {
          await home.dispose();
        }
      },
      async runPipeline(pipeline, rules, ref, revision, n) {
        const env = targetEnvironment(rules, ref);
        if (!env) throw new HatError(`no environment rule matches ${ref} (rules: ${JSON.stringify(rules)})`);
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
          pipelineRunName: `${o.app}-run-${n}`,
          onEvent: (e) => {
            if (e.type === 'start') o.out(`  • ${e.task} [${e.taskRef}] …`);
            else if (e.outcome.status === 'Skipped') {
              if (o.verbose) o.out(`  ◦ ${e.task} skipped: ${e.outcome.reason ?? ''}`);
            } else o.out(`  ${e.outcome.status === 'Succeeded' ? '✓' : '✗'} ${e.task} ${secs(e.outcome.durationMs)}${e.outcome.status === 'Failed' ? `: ${e.outcome.errorLine ?? ''}` : ''}`);
          },
          onLog: (_task, line) => {
            if (o.verbose) o.out(`      ${line}`);
          },
        });
        const version = result.tasks.find((t) => t.name === 'version')?.results['version'] ?? '?';
        if (result.status === 'Failed') throw new HatError(`pipeline run ${n} (${ref}) failed in ${result.failure?.task}: ${result.failure?.errorLine}`);
        const durationMs = Math.round(performance.now() - started);
        o.out(`  = ${o.app} ${version} deployed to ${env} in ${secs(durationMs)}`);
        return { ref, env, status: result.status, version, durationMs };
      },
      async renderEnvs() {
        o.out('\n▶ rendering each env as ArgoCD would (helm dependency build + helm template of apps/<app> at the env repo head)');
        const records = (await Promise.all(o.envs.map((env) => readDeployHistory(env, envUrls[env]!, 'main', { kind: 'basic', ...envCreds[env]! })))).flat();
        const current = currentVersions(records).get(o.app);
        const rows: EnvRow[] = [];
        for (const env of o.envs) {
          const version = current?.get(env)?.version ?? '0.0.0';
          if (version === '0.0.0') {
            rows.push({ env, version: '-', image: '-', envCommit: '-', imageMatches: true });
            continue;
          }
          const r = await renderEnvApp({ env, app: o.app, repoUrl: envUrls[env]!, branch: 'main', auth: { kind: 'basic', ...envCreds[env]! }, registry: { host: registry.host, ...registryCred, plainHttp: true } });
          const image = r.images[0] ?? '-';
          rows.push({ env, version, image, envCommit: r.commit.slice(0, 12), imageMatches: image === `${imageRepository}:${version}` });
        }
        const width = Math.max(...rows.map((r) => r.image.length), 16);
        const vwidth = Math.max(...rows.map((r) => r.version.length), 7) + 2;
        o.out(`\n  ${'env'.padEnd(8)}${'version'.padEnd(vwidth)}${'image (rendered)'.padEnd(width + 2)}env commit`);
        for (const r of rows) o.out(`  ${r.env.padEnd(8)}${r.version.padEnd(vwidth)}${r.image.padEnd(width + 2)}${r.envCommit}${r.imageMatches ? '' : '  ✗ image tag ≠ version'}`);
        return rows;
      },
      async stop() {
        await stack.stop();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stack.stop();
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}
