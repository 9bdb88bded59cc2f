import type { Command } from 'commander';
import { describe } from '../command-table.ts';
import { parse } from 'yaml';
import { createLogger, InputError } from '@hat/task-runtime';
import { isDns1123Label, LAYOUTS, parseSemver, type Layout } from '@hat/gitops';
import { authFromEnv, authorOf, keyValue } from '../cli-util.ts';
import { addApp, initEnv } from '../env/operations.ts';

function label(flag: string, value: string): string {
  if (!isDns1123Label(value)) throw new InputError(`${flag}: expected a DNS-1123 label (lower-case letters, digits, "-"), got ${JSON.stringify(value)}`);
  return value;
}

interface Common {
  env: string;
  repo: string;
  branch: string;
  author?: string;
}

export function registerEnvCommands(program: Command): void {
  const env = program.command('env').description(describe('env'));
  env
    .command('init')
    .description('scaffold an env repo: apps/, an ArgoCD ApplicationSet over its app folders, a README')
    .requiredOption('--env <name>', 'environment name, e.g. test')
    .requiredOption('--repo <url>', 'the env repo (credentials: HAT_GIT_USERNAME/HAT_GIT_PASSWORD or git credential helpers)')
    .option('--branch <branch>', 'branch', 'main')
    .option('--argocd-namespace <ns>', 'namespace of ArgoCD', 'argocd')
    .option('--project <name>', 'ArgoCD project of the apps', 'default')
    .option('--destination-server <url>', 'cluster of this env', 'https://kubernetes.default.svc')
    .option('--layout <layout>', 'where app folders go: flat (apps/<app>/) or sharded (apps/<shard>/<app>/, for thousands of apps); default: the repo\'s own, flat for a new one')
    .option('--author <identity>', 'commit author, "Name <email>"')
    .action(async (o: Common & { argocdNamespace: string; project: string; destinationServer: string; layout?: string }) => {
      const name = label('--env', o.env);
      if (o.layout !== undefined && !(LAYOUTS as readonly string[]).includes(o.layout)) throw new InputError(`--layout: expected ${LAYOUTS.join(' or ')}, got ${JSON.stringify(o.layout)}`);
      const layout = o.layout === undefined ? {} : { layout: o.layout as Layout };
      const access = { auth: authFromEnv(), author: await authorOf(o.author), log: createLogger() };
      const result = await initEnv({ env: name, repoUrl: o.repo, branch: o.branch, argocdNamespace: o.argocdNamespace, project: o.project, destinationServer: o.destinationServer, ...layout }, access);
      process.stdout.write(result.commit ? `initialised ${name}: ${result.written.join(', ')} (${result.commit.slice(0, 12)})\n` : `${name} is already initialised; nothing to do\n`);
    });
  env
    .command('add-app')
    .description('add an app folder (apps/<app>/, or apps/<shard>/<app>/) to an env repo: an umbrella Chart.yaml on the app chart, and env-specific values.yaml')
    .requiredOption('--env <name>', 'environment name')
    .requiredOption('--repo <url>', 'the env repo')
    .requiredOption('--app <app>', 'app name (DNS-1123 label)')
    .requiredOption('--chart-repo <url>', 'where the app chart is published, e.g. oci://registry.example.com/charts')
    .requiredOption('--version <version>', 'the app version to start from (chart version = image tag)')
    .option('--chart <name>', 'app chart name (default: the app name)')
    .option('--set <key=value>', 'an env-specific value under the app chart key, YAML-parsed (repeatable), e.g. --set replicaCount=3', keyValue('--set'))
    .option('--branch <branch>', 'branch', 'main')
    .option('--author <identity>', 'commit author, "Name <email>"')
    .action(async (o: Common & { app: string; chartRepo: string; version: string; chart?: string; set?: Record<string, string> }) => {
      const name = label('--env', o.env);
      const app = label('--app', o.app);
      if (!parseSemver(o.version)) throw new InputError(`--version: expected a SemVer 2 version such as 1.0.0, got ${JSON.stringify(o.version)}`);
      if (!/^(oci|https?):\/\//.test(o.chartRepo)) throw new InputError(`--chart-repo: expected an oci:// or https:// URL, got ${JSON.stringify(o.chartRepo)}`);
      const values = Object.fromEntries(Object.entries(o.set ?? {}).map(([k, v]) => [k, parse(v) as unknown]));
      const access = { auth: authFromEnv(), author: await authorOf(o.author), log: createLogger() };
      const commit = await addApp({ app, env: name, chartRepo: o.chartRepo, chart: o.chart ?? app, version: o.version, values }, { url: o.repo, branch: o.branch }, access);
      process.stdout.write(`added ${app} to ${name} at ${o.version} (${commit?.slice(0, 12) ?? ''})\n`);
    });
}
