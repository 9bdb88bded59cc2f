import type { Command } from 'commander';
import { clusterAppStatus, ENVIRONMENTS, kubeContext, type ClusterAppStatus } from '@hat/cluster';
import { CATALOG_APP_DEFAULTS } from '@hat/catalog';
import { describe } from '../command-table.ts';
import { InputError } from '@hat/task-runtime';
import { authFromEnv, formatTable, keyValue } from '../cli-util.ts';
import { access } from 'node:fs/promises';
import { currentVersions, formatSignature, openPromotions, readDeployHistory, type DeployRecord, type OpenPromotion } from '@hat/task-deploy';
import { createForge, forgeRepoOf, type ForgeRepo } from '@hat/forge';
import { createLogger } from '@hat/task-runtime';

interface ForgeFlags {
  pullRequests?: boolean;
  forge: string;
}

/** --pull-requests: each env repo's open promotion pull requests, through the forge's API (token: HAT_FORGE_TOKEN). */
async function readPromotions(repos: Record<string, string>, branch: string, o: ForgeFlags): Promise<OpenPromotion[]> {
  if (!o.pullRequests) return [];
  const log = createLogger();
  const token = process.env['HAT_FORGE_TOKEN'] ?? '';
  const all = await Promise.all(Object.entries(forgeRepos(repos, o)).map(([env, repo]) => openPromotions(createForge({ provider: o.forge, repo, token, log }), env, branch)));
  return all.flat();
}

/** With --pull-requests, each env repo on its forge: checked before anything is read, errors naming the flag. */
function forgeRepos(repos: Record<string, string>, o: ForgeFlags): Record<string, ForgeRepo> {
  if (!o.pullRequests) return {};
  return Object.fromEntries(Object.entries(repos).map(([env, url]) => [env, forgeRepoOf(url, undefined, { url: `--repo ${env}=`, apiUrl: '--forge-api-url' })]));
}

const promotionCell = (p: OpenPromotion): string => `PR #${p.number} → ${p.version ?? '?'}`;

const when = (t: number): string => new Date(t * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const short = (sha: string | undefined): string => (sha ? sha.slice(0, 7) : '-');

async function readAll(repos: Record<string, string>, branch: string, allowedSigners?: string): Promise<{ envs: string[]; records: DeployRecord[] }> {
  const envs = Object.keys(repos);
  if (envs.length === 0) throw new InputError('--repo: give at least one env repo as ENV=URL, e.g. --repo test=https://git.example.com/gitops/test.git');
  if (allowedSigners) await access(allowedSigners).catch(() => { throw new InputError(`--allowed-signers: cannot read ${allowedSigners} (expected git's allowed signers file: "<principal> ssh-ed25519 AAAA…" per line)`); });
  const auth = authFromEnv();
  const records = (await Promise.all(envs.map((env) => readDeployHistory(env, repos[env]!, branch, auth, allowedSigners)))).flat();
  return { envs, records };
}

interface StatusFlags {
  repo?: Record<string, string>;
  branch: string;
  cluster?: boolean;
  kubeconfig?: string;
  context?: string;
  namespace: string;
  argocdNamespace: string;
  json?: boolean;
  allowedSigners?: string;
  pullRequests?: boolean;
  forge: string;
}

/** Rows in the --repo order, then HAT's promotion order (test, stage, prod), then the rest. */
const ORDER: readonly string[] = ENVIRONMENTS;
const envRank = (env: string, envs: readonly string[]): number => (envs.includes(env) ? envs.indexOf(env) : envs.length + (ORDER.includes(env) ? ORDER.indexOf(env) : ORDER.length));

/** One row per app × env: the version in git (with --repo), what Argo CD runs and its state, the last PipelineRun. */
function printClusterStatus(cluster: readonly ClusterAppStatus[], current: Map<string, Map<string, DeployRecord>>, envs: readonly string[], json: boolean): void {
  const byKey = new Map<string, { app: string; env: string; git: string | null; cluster: ClusterAppStatus | null }>();
  for (const c of cluster) byKey.set(`${c.app} ${c.env}`, { app: c.app, env: c.env, git: null, cluster: c });
  for (const [app, byEnv] of current) {
    for (const [env, r] of byEnv) byKey.set(`${app} ${env}`, { ...(byKey.get(`${app} ${env}`) ?? { app, env, cluster: null }), git: r.version });
  }
  const rows = [...byKey.values()].sort((a, b) => a.app.localeCompare(b.app) || envRank(a.env, envs) - envRank(b.env, envs));
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const table = rows.map((r) => [
    r.app,
    r.env,
    r.git ?? '-',
    r.cluster?.runningVersions.join(', ') || '-',
    r.cluster?.sync ? `${r.cluster.sync} ${short(r.cluster.revision ?? undefined)}` : '-',
    r.cluster?.health ?? '-',
    r.cluster?.lastRun ? `${r.cluster.lastRun.name} ${r.cluster.lastRun.outcome}` : '-',
  ]);
  process.stdout.write(`${formatTable(['app', 'env', 'git', 'running', 'argo cd', 'health', 'last pipeline run'], table)}\n`);
  for (const r of rows) if (r.cluster?.message) process.stdout.write(`${r.app} in ${r.env}: ${r.cluster.message}\n`);
}

export function registerStatusCommands(program: Command): void {
  program
    .command('status')
    .description(describe('status'))
    .option('--repo <env=url>', 'an env repo (repeatable, in promotion order)', keyValue('--repo'))
    .option('--branch <branch>', 'branch of the env repos', 'main')
    .option('--allowed-signers <file>', "check each deploy commit's SSH signature against this allowed signers file (git's format)")
    .option('--cluster', "add what the cluster says: Argo CD's sync, revision, health and running version per app and env, and the app's last PipelineRun")
    .option('--kubeconfig <file>', 'with --cluster: kubeconfig (default: $KUBECONFIG, ~/.kube/config, else the cluster of hat cluster up)')
    .option('--context <name>', 'with --cluster: kube context (default: the current one)')
    .option('--namespace <ns>', 'with --cluster: the tasks namespace (PipelineRuns)', CATALOG_APP_DEFAULTS.namespace)
    .option('--argocd-namespace <ns>', "with --cluster: Argo CD's namespace", CATALOG_APP_DEFAULTS.argocdNamespace)
    .option('--pull-requests', 'add the open promotion pull requests of each env repo (pull-request mode; API token: HAT_FORGE_TOKEN)')
    .option('--forge <provider>', "with --pull-requests: the forge's API (gitea or forgejo)", 'gitea')
    .option('--json', 'print JSON')
    .action(async (o: StatusFlags) => {
      if (!o.repo && !o.cluster) throw new InputError('--repo: give at least one env repo as ENV=URL (or --cluster), e.g. --repo test=https://git.example.com/gitops/test.git');
      if (o.repo) forgeRepos(o.repo, o);
      const { envs, records } = o.repo ? await readAll(o.repo, o.branch, o.allowedSigners) : { envs: [] as string[], records: [] as DeployRecord[] };
      const current = currentVersions(records);
      if (o.cluster) {
        const { config } = kubeContext({ ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}), ...(o.context ? { context: o.context } : {}) });
        printClusterStatus(await clusterAppStatus(config, { argocdNamespace: o.argocdNamespace, namespace: o.namespace }), current, envs, o.json === true);
        return;
      }
      const promotions = o.repo ? await readPromotions(o.repo, o.branch, o) : [];
      const pending = (app: string, env: string) => promotions.find((p) => p.app === app && p.env === env);
      const apps = [...new Set([...current.keys(), ...promotions.map((p) => p.app)])].sort();
      if (o.json) {
        const entry = (app: string, env: string) => {
          const r = current.get(app)?.get(env);
          const p = pending(app, env);
          const pr = p ? { pullRequest: { number: p.number, url: p.url, version: p.version ?? null } } : {};
          return r ? { version: r.version, commit: r.commit, time: new Date(r.time * 1000).toISOString(), sourceCommit: r.sourceCommit ?? null, rollback: r.rollback, ...(r.signature ? { signature: r.signature } : {}), ...pr } : { version: null, ...pr };
        };
        const out = Object.fromEntries(apps.map((app) => [app, Object.fromEntries(envs.filter((env) => current.get(app)?.has(env) || pending(app, env)).map((env) => [env, entry(app, env)]))]));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const rows = apps.map((app) => [app, ...envs.map((env) => {
        const r = current.get(app)?.get(env);
        const p = pending(app, env);
        const deployed = r ? `${r.version}${r.rollback ? ' (rollback)' : ''} · ${when(r.time)} · src ${short(r.sourceCommit)}${r.signature ? ` · signature ${formatSignature(r.signature)}` : ''}` : '-';
        return p ? `${deployed} · ${promotionCell(p)}` : deployed;
      })]);
      process.stdout.write(`${formatTable(['app', ...envs], rows)}\n`);
      for (const p of promotions) process.stdout.write(`open: ${p.app} ${p.version ?? '?'} → ${p.env}, pull request #${p.number} ${p.url}\n`);
    });
  program
    .command('history')
    .description(describe('history'))
    .argument('<app>', 'app name')
    .requiredOption('--repo <env=url>', 'an env repo (repeatable)', keyValue('--repo'))
    .option('--branch <branch>', 'branch of the env repos', 'main')
    .option('--allowed-signers <file>', "check each deploy commit's SSH signature against this allowed signers file (git's format)")
    .option('--pull-requests', "add the app's open promotion pull requests (pull-request mode; API token: HAT_FORGE_TOKEN)")
    .option('--forge <provider>', "with --pull-requests: the forge's API (gitea or forgejo)", 'gitea')
    .option('--json', 'print JSON')
    .action(async (app: string, o: { repo: Record<string, string>; branch: string; json?: boolean; allowedSigners?: string } & ForgeFlags) => {
      forgeRepos(o.repo, o);
      const { records } = await readAll(o.repo, o.branch, o.allowedSigners);
      const mine = records.filter((r) => r.app === app).sort((a, b) => b.time - a.time);
      const open = (await readPromotions(o.repo, o.branch, o)).filter((p) => p.app === app);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(o.pullRequests ? { deploys: mine, pullRequests: open } : mine, null, 2)}\n`);
        return;
      }
      for (const p of open) process.stdout.write(`open: ${app} ${p.version ?? '?'} → ${p.env}, pull request #${p.number} ${p.url}\n`);
      if (mine.length === 0 && open.length === 0) throw new InputError(`no deploy of ${app} found in ${Object.keys(o.repo).join(', ')}`);
      if (mine.length === 0) return;
      const signed = o.allowedSigners !== undefined;
      const rows = mine.map((r) => [when(r.time), r.env, `${r.previousVersion ?? '-'} → ${r.version}`, r.rollback ? 'ROLLBACK' : '', short(r.sourceCommit), r.pipelineRun ?? '-', short(r.commit), ...(signed ? [formatSignature(r.signature)] : [])]);
      process.stdout.write(`${formatTable(['when', 'env', 'version', 'rollback', 'source', 'pipeline run', 'commit', ...(signed ? ['signature'] : [])], rows)}\n`);
    });
}
