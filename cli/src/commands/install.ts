import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { CATALOG_APP_DEFAULTS } from '@hat/catalog';
import { envFilesOf, envSyncsOf, install, kubeContext } from '@hat/cluster';
import { HelmError, template } from '@hat/helm';
import { createLogger, InputError, oneLine } from '@hat/task-runtime';
import { hasRepo, repoRoot } from '@hat/task-runner';
import { describe } from '../command-table.ts';
import { keyValue } from '../cli-util.ts';

interface InstallFlags {
  kubeconfig?: string;
  context?: string;
  namespace: string;
  catalogRepo?: string;
  catalogCredentials?: string;
  catalogRevision: string;
  catalogPath: string;
  argocdNamespace: string;
  envConfig?: Record<string, string>;
  envSecret?: Record<string, string>;
  envSync?: Record<string, string>;
  chartRegistryCredentials?: string;
  pipelineValues?: string;
  pipelineChart?: string;
  deployController?: string[];
  wait: boolean;
  timeout: string;
}

/** The pipeline chart rendered with the pinned helm from the user's values (release <app.name>-pipeline). */
async function renderPipeline(valuesFile: string, chartDir: string | undefined, namespace: string): Promise<string> {
  const chart = chartDir ?? (hasRepo ? path.join(repoRoot, 'charts', 'pipeline') : undefined);
  if (!chart) throw new InputError('--pipeline-values: pass --pipeline-chart DIR (the pipeline chart is not in an installed hat)');
  const values = parse(await readFile(valuesFile, 'utf8').catch(() => { throw new InputError(`--pipeline-values: cannot read ${valuesFile}`); })) as { app?: { name?: string } } | null;
  const app = values?.app?.name;
  if (!app) throw new InputError(`--pipeline-values: ${valuesFile} has no app.name`);
  try {
    return await template(chart, { releaseName: `${app}-pipeline`, namespace, valuesFiles: [valuesFile] });
  } catch (err) {
    // helm's schema errors span several lines (which value, what it must match): keep them all, on one line.
    if (!(err instanceof HelmError)) throw err;
    const lines = err.stderrTail.split('\n').map((l) => l.trim()).filter((l) => l && !/^pipeline:$/.test(l));
    throw new InputError(`--pipeline-values: the pipeline chart refuses ${valuesFile}: ${oneLine(lines.join(' ').replace(/^Error:\s*/, ''))}`, { cause: err });
  }
}

export function registerInstallCommand(program: Command): void {
  program
    .command('install')
    .description(describe('install'))
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, else the cluster of hat cluster up)')
    .option('--context <name>', 'kube context (default: the current one)')
    .option('--namespace <ns>', 'the tasks namespace: where Tasks live and PipelineRuns run (created when absent)', CATALOG_APP_DEFAULTS.namespace)
    .option('--catalog-repo <url>', 'git repository holding catalog/: installs the Argo CD AppProject and Application that sync it')
    .option('--catalog-credentials <path>', 'username and password for Argo CD to read --catalog-repo: a folder of key files or a KEY=VALUE file (never printed)')
    .option('--catalog-revision <rev>', 'branch, tag or commit of --catalog-repo', CATALOG_APP_DEFAULTS.revision)
    .option('--catalog-path <path>', 'catalog (every major) or catalog/install/v<major> (one major)', CATALOG_APP_DEFAULTS.path)
    .option('--argocd-namespace <ns>', "Argo CD's namespace", CATALOG_APP_DEFAULTS.argocdNamespace)
    .option('--env-config <env=path>', 'ConfigMap hat-gitops-<env>: a folder of key files or a KEY=VALUE file (url, branch, author-name, author-email; repeatable)', keyValue('--env-config'))
    .option('--env-secret <env=path>', 'Secret hat-gitops-<env>: a folder of key files or a KEY=VALUE file (username and password, or ssh-privatekey and known_hosts; never printed; repeatable)', keyValue('--env-secret'))
    .option('--env-sync <env=path>', "Argo CD follows the env repo (its argocd/ ApplicationSet): a folder of key files or a KEY=VALUE file (url as Argo CD reaches it, branch, username and password or ssh-privatekey, read-only; never printed; repeatable)", keyValue('--env-sync'))
    .option('--chart-registry-credentials <path>', "Argo CD's login to the app charts' OCI repository: a folder of key files or a KEY=VALUE file (url oci://<registry>/<path>, username, password; never printed)")
    .option('--pipeline-values <file>', "an app's values for the pipeline chart: render it and apply it into the tasks namespace")
    .option('--pipeline-chart <dir>', 'the pipeline chart (default: charts/pipeline of this repository)')
    .option('--deploy-controller <env>', "run env's deploy controller in the tasks namespace: the newest deploy-<env> Task's program serving pipelines' CustomRuns of deploy-<env> (no pod per promotion; the pipeline chart's environments[].controller); after the catalog sync; repeatable", (v: string, all: string[] = []) => [...all, v])
    .option('--no-wait', 'do not wait for Argo CD to sync the catalog')
    .option('--timeout <seconds>', 'bound of the wait for Argo CD', '180')
    .action(async (o: InstallFlags) => {
      const timeout = Number(o.timeout);
      if (!Number.isInteger(timeout) || timeout <= 0) throw new InputError(`--timeout takes a whole number of seconds (got ${JSON.stringify(o.timeout)})`);
      const envs = envFilesOf(o.envConfig ?? {}, o.envSecret ?? {});
      const envSyncs = envSyncsOf(o.envSync ?? {});
      const { config, source } = kubeContext({ ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}), ...(o.context ? { context: o.context } : {}) });
      const log = createLogger({ prefix: 'install' });
      log.info(`context ${config.getCurrentContext()} (${source}), server ${config.getCurrentCluster()?.server}`);
      const pipelineYaml = o.pipelineValues ? await renderPipeline(o.pipelineValues, o.pipelineChart, o.namespace) : undefined;
      const result = await install({
        config,
        log,
        namespace: o.namespace,
        envs,
        envSyncs,
        argocdNamespace: o.argocdNamespace,
        ...(o.chartRegistryCredentials ? { chartRegistryCredentials: o.chartRegistryCredentials } : {}),
        ...(o.catalogCredentials ? { catalogCredentials: o.catalogCredentials } : {}),
        ...(o.catalogRepo ? { catalog: { repoURL: o.catalogRepo, revision: o.catalogRevision, path: o.catalogPath, namespace: o.namespace, argocdNamespace: o.argocdNamespace } } : {}),
        ...(pipelineYaml ? { pipelineYaml } : {}),
        ...(o.deployController ? { deployControllers: o.deployController } : {}),
        wait: o.wait,
        timeoutMs: timeout * 1000,
      });
      process.stdout.write(result.changed === 0 ? `hat install: nothing changed (${result.objects.length} objects already as wanted)\n` : `hat install: ${result.changed} of ${result.objects.length} objects changed\n`);
    });
}
