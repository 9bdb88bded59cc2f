import type { Command } from 'commander';
import { describe } from '../command-table.ts';
import { createLogger, InputError } from '@hat/task-runtime';
import { authFromEnv, authorOf } from '../cli-util.ts';
import { definition, promote } from '@hat/task-deploy';
import { parseParams } from '@hat/task-runtime';

interface DeployOpts {
  env?: string;
  repo?: string;
  branch: string;
  dryRun?: boolean;
  rollback?: boolean;
  author?: string;
  source?: string;
  sourceCommit?: string;
}

export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description(describe('deploy'))
    .argument('[app]', 'app name (apps/<app>/ in the env repo)')
    .argument('[version]', 'SemVer 2 version: image tag and chart version')
    .option('--env <env>', 'environment name, used in the commit and its trailers (required)')
    .option('--repo <url>', 'env repo URL (required; credentials: HAT_GIT_USERNAME/HAT_GIT_PASSWORD, or git credential helpers)')
    .option('--branch <branch>', 'env repo branch', 'main')
    .option('--dry-run', 'print the diff, push nothing')
    .option('--rollback', 'allow a lower version than the deployed one')
    .option('--author <identity>', 'commit author, "Name <email>"')
    .option('--source <url>', 'source repo URL for the trailer')
    .option('--source-commit <sha>', 'source commit for the trailer')
    .action(async (app: string | undefined, version: string | undefined, opts: DeployOpts) => {
      // Everything missing at once, with the whole usage, rather than the first missing option alone.
      const missing = [app === undefined ? 'APP' : '', version === undefined ? 'VERSION' : '', opts.env ? '' : '--env', opts.repo ? '' : '--repo'].filter(Boolean);
      if (app === undefined || version === undefined || !opts.env || !opts.repo) {
        throw new InputError(`deploy needs ${missing.join(', ')}: hat deploy APP VERSION --env ENV --repo URL (e.g. hat deploy web 1.4.2 --env test --repo https://git.example.com/gitops/test.git)`);
      }
      const params = parseParams(definition, { app, version });
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.env)) throw new InputError(`--env: expected a DNS-1123 label such as test, stage or prod (got ${JSON.stringify(opts.env)})`);
      const outcome = await promote({
        env: opts.env,
        app: params.app,
        version: params.version,
        rollback: Boolean(opts.rollback),
        dryRun: Boolean(opts.dryRun),
        repo: { url: opts.repo, branch: opts.branch, auth: authFromEnv() },
        author: await authorOf(opts.author),
        trailers: { source: opts.source, sourceCommit: opts.sourceCommit },
        log: createLogger(),
      });
      if (outcome.status === 'dry-run') process.stdout.write(outcome.diff);
      process.stdout.write(`${outcome.status} ${app} ${outcome.previousVersion} → ${version} (${opts.env})${outcome.commit ? ` ${outcome.commit}` : ''}\n`);
    });
}
