import type { Command } from 'commander';
import { describe } from '../command-table.ts';
import { InputError } from '@hat/task-runtime';
import { authFromEnv, formatTable, keyValue } from '../cli-util.ts';
import { currentVersions, readDeployHistory, type DeployRecord } from '../env/history.ts';

const when = (t: number): string => new Date(t * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const short = (sha: string | undefined): string => (sha ? sha.slice(0, 7) : '-');

async function readAll(repos: Record<string, string>, branch: string): Promise<{ envs: string[]; records: DeployRecord[] }> {
  const envs = Object.keys(repos);
  if (envs.length === 0) throw new InputError('--repo: give at least one env repo as ENV=URL, e.g. --repo test=https://git.example.com/gitops/test.git');
  const auth = authFromEnv();
  const records = (await Promise.all(envs.map((env) => readDeployHistory(env, repos[env]!, branch, auth)))).flat();
  return { envs, records };
}

export function registerStatusCommands(program: Command): void {
  program
    .command('status')
    .description(describe('status'))
    .requiredOption('--repo <env=url>', 'an env repo (repeatable, in promotion order)', keyValue('--repo'))
    .option('--branch <branch>', 'branch of the env repos', 'main')
    .option('--json', 'print JSON')
    .action(async (o: { repo: Record<string, string>; branch: string; json?: boolean }) => {
      const { envs, records } = await readAll(o.repo, o.branch);
      const current = currentVersions(records);
      const apps = [...current.keys()].sort();
      if (o.json) {
        const out = Object.fromEntries(apps.map((app) => [app, Object.fromEntries([...current.get(app)!].map(([env, r]) => [env, { version: r.version, commit: r.commit, time: new Date(r.time * 1000).toISOString(), sourceCommit: r.sourceCommit ?? null, rollback: r.rollback }]))]));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const rows = apps.map((app) => [app, ...envs.map((env) => {
        const r = current.get(app)?.get(env);
        return r ? `${r.version}${r.rollback ? ' (rollback)' : ''} · ${when(r.time)} · src ${short(r.sourceCommit)}` : '-';
      })]);
      process.stdout.write(`${formatTable(['app', ...envs], rows)}\n`);
    });
  program
    .command('history')
    .description(describe('history'))
    .argument('<app>', 'app name')
    .requiredOption('--repo <env=url>', 'an env repo (repeatable)', keyValue('--repo'))
    .option('--branch <branch>', 'branch of the env repos', 'main')
    .option('--json', 'print JSON')
    .action(async (app: string, o: { repo: Record<string, string>; branch: string; json?: boolean }) => {
      const { records } = await readAll(o.repo, o.branch);
      const mine = records.filter((r) => r.app === app).sort((a, b) => b.time - a.time);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(mine, null, 2)}\n`);
        return;
      }
      if (mine.length === 0) throw new InputError(`no deploy of ${app} found in ${Object.keys(o.repo).join(', ')}`);
      const rows = mine.map((r) => [when(r.time), r.env, `${r.previousVersion ?? '-'} → ${r.version}`, r.rollback ? 'ROLLBACK' : '', short(r.sourceCommit), r.pipelineRun ?? '-', short(r.commit)]);
      process.stdout.write(`${formatTable(['when', 'env', 'version', 'rollback', 'source', 'pipeline run', 'commit'], rows)}\n`);
    });
}
