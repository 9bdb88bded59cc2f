import { access, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { createLogger, InputError } from '@hat/task-runtime';
import { updateRepo } from '@hat/git';
import { isDns1123Label, parseSemver } from '@hat/gitops';
import { authFromEnv, authorOf, keyValue } from '../cli-util.ts';
import { appFiles, envFiles } from '../env/scaffold.ts';

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

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

/** Writes files that are missing, refuses to overwrite different content; returns the paths it wrote. */
async function writeNew(dir: string, files: Record<string, string>, refuseExisting: boolean): Promise<string[]> {
  const written: string[] = [];
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    if (await exists(full)) {
      if (refuseExisting) throw new InputError(`${rel} already exists in the env repo; edit it there, or deploy with hat deploy`);
      continue;
    }
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, content);
    written.push(rel);
  }
  return written;
}

export function registerEnvCommands(program: Command): void {
  const env = program.command('env').description('scaffold environment GitOps repos (one repo per env)');
  env
    .command('init')
    .description('scaffold an env repo: apps/, an ArgoCD ApplicationSet over apps/*, a README')
    .requiredOption('--env <name>', 'environment name, e.g. test')
    .requiredOption('--repo <url>', 'the env repo (credentials: HAT_GIT_USERNAME/HAT_GIT_PASSWORD or git credential helpers)')
    .option('--branch <branch>', 'branch', 'main')
    .option('--argocd-namespace <ns>', 'namespace of ArgoCD', 'argocd')
    .option('--project <name>', 'ArgoCD project of the apps', 'default')
    .option('--destination-server <url>', 'cluster of this env', 'https://kubernetes.default.svc')
    .option('--author <identity>', 'commit author, "Name <email>"')
    .action(async (o: Common & { argocdNamespace: string; project: string; destinationServer: string }) => {
      const name = label('--env', o.env);
      const files = envFiles({ env: name, repoUrl: o.repo, branch: o.branch, argocdNamespace: o.argocdNamespace, project: o.project, destinationServer: o.destinationServer });
      const result = await updateRepo({
        url: o.repo,
        branch: o.branch,
        auth: authFromEnv(),
        author: await authorOf(o.author),
        paths: ['apps', 'argocd'],
        where: `${name} repo ${o.repo}`,
        log: createLogger(),
        privateHome: false,
        allowEmpty: true,
        async edit(dir) {
          const written = await writeNew(dir, files, false);
          if (written.length === 0) return { done: [] as string[] };
          return { value: written, commit: { subject: `env(${name}): scaffold the ${name} environment`, paths: written, trailers: [['Hat-Env', name]] } };
        },
      });
      process.stdout.write(result.commit ? `initialised ${name}: ${result.value.join(', ')} (${result.commit.slice(0, 12)})\n` : `${name} is already initialised; nothing to do\n`);
    });
  env
    .command('add-app')
    .description('add apps/<app>/ to an env repo: an umbrella Chart.yaml on the app chart, and env-specific values.yaml')
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
      const files = appFiles({ app, env: name, chartRepo: o.chartRepo, chart: o.chart ?? app, version: o.version, values });
      const result = await updateRepo({
        url: o.repo,
        branch: o.branch,
        auth: authFromEnv(),
        author: await authorOf(o.author),
        paths: [`apps/${app}`],
        where: `${name} repo ${o.repo}`,
        log: createLogger(),
        privateHome: false,
        async edit(dir) {
          const written = await writeNew(dir, files, true);
          return {
            value: written,
            commit: {
              subject: `env(${name}): add ${app} at ${o.version}`,
              paths: [`apps/${app}`],
              trailers: [['Hat-App', app], ['Hat-Env', name], ['Hat-Version', o.version]],
            },
          };
        },
      });
      process.stdout.write(`added ${app} to ${name} at ${o.version} (${result.commit?.slice(0, 12) ?? ''})\n`);
    });
}
