import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  chartContent,
  chartRepositoryName,
  chartUrl,
  createHelmHome,
  dependencyBuild,
  lint,
  packageChart,
  parseOciRepository,
  registryLogin,
} from '@hat/helm';
import { HatError, type TaskContext } from '@hat/task-runtime';
import type { ParamsOf, ResultsOf } from '@hat/task-spec';
import { copyChart, stampChart } from './build-copy.ts';
import { readCredentials } from './credentials.ts';
import { publish, withRetry } from './publish.ts';
import type { definition } from './task.ts';

type Params = ParamsOf<typeof definition>;
type Results = ResultsOf<typeof definition>;

export async function run(params: Params, ctx: TaskContext): Promise<Results> {
  const { log, signal } = ctx;
  const source = ctx.workspace('source');
  if (!source) throw new HatError('workspace source is not bound');
  const repo = parseOciRepository(params['chart-repository']);
  const plainHttp = params['insecure-plain-http'];
  const version = params.version;
  const credentials = await readCredentials(ctx.mountDir('chart-registry'));

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'hat-helm-package-push-'));
  const home = await createHelmHome(scratch);
  try {
    const { chartDir, chart } = await copyChart(source, params.chart, path.join(scratch, 'build'));
    const valuesSet = await stampChart(chartDir, { version, imageRepository: params['image-repository'] });
    log.info(`chart ${chart.name}: version and appVersion ${version}${valuesSet.length > 0 ? `, values ${valuesSet.join(' and ')} set` : ''} (build copy)`);

    const helm = { home, signal, log, plainHttp };
    if (credentials) {
      await log.time(`login to ${repo.host} as ${credentials.username}`, () =>
        withRetry(`login to ${repo.host}`, () => registryLogin(repo.host, { ...helm, ...credentials }), log, signal),
      );
    }
    if (chart.dependencies.length > 0) {
      await log.time(`dependency build (${chart.dependencies.length} dependencies)`, () =>
        withRetry('helm dependency build', () => dependencyBuild(chartDir, helm), log, signal),
      );
    }
    const linted = await log.time('lint', () => lint(chartDir, { ...helm, label: `chart ${chart.name}` }));
    for (const m of linted.messages.filter((m) => m.startsWith('[WARNING]'))) log.warn(m);
    const { path: archive } = await log.time('package', () => packageChart(chartDir, { ...helm, destination: path.join(scratch, 'dist') }));
    const content = await chartContent(archive);
    log.info(`${path.basename(archive)}: content ${content.digest} (${content.files.size} files)`);

    const published = await publish({ archive, content, name: chart.name, version, repo, plainHttp, home, log, signal, scratch });
    const chartRef = `${chartUrl(repo, chart.name)}:${version}`;
    log.info(`${chartRef}@${published.digest}${published.pushed ? '' : ' (unchanged)'}`);
    return {
      'chart-ref': chartRef,
      'chart-digest': published.digest,
      pushed: String(published.pushed),
      ARTIFACT_URI: chartRepositoryName(repo, chart.name),
      ARTIFACT_DIGEST: published.digest,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
