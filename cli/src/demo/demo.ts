// `hat demo`: the whole HAT flow on this machine, on embedded defaults: an example app, three env repos,
// the pipeline from charts/pipeline run three times (main → test, release/1.0 → stage, v1.0.0 → prod), a fourth
// time for a tag stage never ran (prod refuses it: require-upstream), then each env rendered as ArgoCD would.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { authEnv, commitPaths, git, pushHead } from '@hat/git';
import { HatError, type Logger } from '@hat/task-runtime';
import { environmentRules, type EnvironmentRule } from '../env/env-rules.ts';
import { exampleAppFiles } from './example-app.ts';
import { secs, startLocalPlatform, type EnvRow, type PipelineRunSummary } from './local-platform.ts';

export interface DemoResult {
  readonly rows: readonly EnvRow[];
  readonly runs: readonly PipelineRunSummary[];
  /** The run prod refused: a tag on a commit stage never ran (prod's require-upstream: stage). */
  readonly refused: { readonly ref: string; readonly env: string; readonly message: string };
}

export interface DemoOptions {
  readonly out: (line: string) => void;
  readonly verbose: boolean;
  readonly log: Logger;
  readonly catalogDir?: string;
  /** Changes the example app's files before they are committed (tests use it to break a step). */
  readonly editApp?: (files: Record<string, string>) => Record<string, string>;
}

const APP = 'web';

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const t0 = performance.now();
  const platform = await startLocalPlatform({
    app: APP,
    envs: ['test', 'stage', 'prod'],
    out: o.out,
    verbose: o.verbose,
    log: o.log,
    ...(o.catalogDir ? { catalogDir: o.catalogDir } : {}),
    envValues: (env) => ({ replicaCount: env === 'prod' ? 3 : 1, message: `Hello from ${env}` }),
    // Prod deploys only what stage ran (the version, or the same source commit under the tag's version).
    upstreams: { prod: 'stage' },
  });
  try {
    const { appRepo, work } = platform;
    const src = path.join(work, 'app');
    await mkdir(src);
    const appEnv = await authEnv({ kind: 'basic', ...platform.appCred }, appRepo.url, path.join(work, 'dev-home'));
    const dev = { name: 'Dana Developer', email: 'dana@hat.local' };
    const writeApp = async (page: string): Promise<void> => {
      const files = exampleAppFiles({ name: APP, imageRepository: platform.imageRepository, chartRepository: platform.chartRepository, gitUrl: appRepo.url }, { page });
      for (const [rel, content] of Object.entries(o.editApp ? o.editApp(files) : files)) {
        await mkdir(path.dirname(path.join(src, rel)), { recursive: true });
        await writeFile(path.join(src, rel), content);
      }
    };
    const commitApp = (subject: string): Promise<string> => commitPaths({ cwd: src, env: appEnv, author: dev, paths: ['.'], subject, trailers: [] });
    await git(['init', '--quiet', '--initial-branch', 'main', src], { env: appEnv });
    await git(['remote', 'add', 'origin', appRepo.url], { cwd: src, env: appEnv });
    await writeApp('first version');
    await copyFile('/bin/busybox', path.join(src, 'busybox')).catch(() => {
      throw new HatError('the demo app needs a static busybox at /bin/busybox (Debian package busybox-static; scripts/setup.sh installs it)');
    });
    await commitApp(`${APP}: first version`);
    await pushHead({ cwd: src, branch: 'main', env: appEnv, what: 'push of the app repo' });
    o.out(`▶ app repo ${appRepo.url}: a tiny web service, its Dockerfile, its chart (chart/), its pipeline values (.hat/pipeline-values.yaml)`);

    const valuesFile = path.join(src, '.hat/pipeline-values.yaml');
    const values = parse(await readFile(valuesFile, 'utf8')) as { environments?: EnvironmentRule[] };
    const rules = await environmentRules(values);
    const pipeline = await platform.renderPipeline([valuesFile]);

    const runs: PipelineRunSummary[] = [];
    runs.push(await platform.runPipeline(pipeline, rules, 'refs/heads/main', 'main', 1));
    await git(['switch', '--quiet', '-c', 'release/1.0'], { cwd: src, env: appEnv });
    await writeApp('release 1.0');
    await commitApp(`${APP}: prepare release 1.0`);
    await pushHead({ cwd: src, branch: 'release/1.0', env: appEnv, what: 'push of the release branch' });
    runs.push(await platform.runPipeline(pipeline, rules, 'refs/heads/release/1.0', 'release/1.0', 2));
    await git(['tag', '-a', 'v1.0.0', '-m', `${APP} 1.0.0`], { cwd: src, env: { ...appEnv, GIT_COMMITTER_NAME: dev.name, GIT_COMMITTER_EMAIL: dev.email } });
    await git(['push', '--quiet', 'origin', 'refs/tags/v1.0.0'], { cwd: src, env: appEnv, what: 'push of the tag' });
    runs.push(await platform.runPipeline(pipeline, rules, 'refs/tags/v1.0.0', 'v1.0.0', 3));

    // A hotfix tagged straight from a laptop, never pushed to the release branch: stage never ran it, prod refuses it.
    o.out('\n▶ a tag on a commit stage never ran: prod must refuse it (prod\'s hat-gitops-prod has require-upstream: stage)');
    await writeApp('hotfix straight to prod');
    await commitApp(`${APP}: hotfix, not through stage`);
    await git(['tag', '-a', 'v1.0.1', '-m', `${APP} 1.0.1`], { cwd: src, env: { ...appEnv, GIT_COMMITTER_NAME: dev.name, GIT_COMMITTER_EMAIL: dev.email } });
    await git(['push', '--quiet', 'origin', 'refs/tags/v1.0.1'], { cwd: src, env: appEnv, what: 'push of the tag' });
    const refusal = await platform.runPipeline(pipeline, rules, 'refs/tags/v1.0.1', 'v1.0.1', 4).then(
      () => undefined,
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    if (!refusal || !/failed in deploy-prod: error: prod takes only what stage ran/.test(refusal)) throw new HatError(`prod took a tag stage never ran (${refusal ?? 'run 4 succeeded'})`);
    const refused = { ref: 'refs/tags/v1.0.1', env: 'prod', message: refusal.replace(/^.*failed in deploy-prod: /, '') };
    o.out(`  ✓ refused as it should be: ${refused.message}`);

    const rows = await platform.renderEnvs();
    const ok = rows.every((r) => r.imageMatches);
    o.out(`\n${ok ? '✓' : '✗'} demo ${ok ? 'done' : 'FAILED'} in ${secs(performance.now() - t0)}: ${runs.length} pipeline runs and one prod refused, ${rows.length} envs rendered; chart version = image tag = service version in every env.`);
    if (!ok) throw new HatError('an env renders an image whose tag differs from the deployed version');
    return { rows, runs, refused };
  } finally {
    await platform.stop();
  }
}
