import path from 'node:path';
import type { Command } from 'commander';
import { describe } from '../command-table.ts';
import { devImage, paramInfos, renderTaskObject } from '@hat/task-spec';
import { InputError } from '@hat/task-runtime';
import { runTaskLocally } from '@hat/task-runner';
import { keyValue } from '../cli-util.ts';
import { DEV_VERSION } from '../generate.ts';
import { allTasks, findTask } from '../task-registry.ts';

interface RunOpts {
  param?: Record<string, string>;
  workspace?: Record<string, string>;
  mount?: Record<string, string>;
  resultsDir?: string;
}

export function registerTaskCommands(program: Command): void {
  const task = program.command('task').description(describe('task'));
  task
    .command('list')
    .description('list the tasks and their programs')
    .action(() => {
      for (const t of allTasks) process.stdout.write(`${t.name.padEnd(20)} ${t.description.split('. ')[0]}\n`);
    });
  task
    .command('run')
    .description('run one task on this host exactly as its Task YAML wires it (params, results, workspaces, mounts)')
    .argument('<name>', 'task name, e.g. deploy-test')
    .option('-p, --param <key=value>', 'a param (repeatable)', keyValue('--param'))
    .option('-w, --workspace <name=dir>', 'bind a workspace to a directory (repeatable)', keyValue('--workspace'))
    .option('-m, --mount <kind/name=dir>', 'a Secret or ConfigMap (secret/NAME or configmap/NAME) given as a directory of key files (repeatable)', keyValue('--mount'))
    .option('--results-dir <dir>', 'write result files here (default: a temp dir)')
    .action(async (name: string, opts: RunOpts) => {
      const def = findTask(name);
      const missing = paramInfos(def).filter((p) => p.default === undefined && opts.param?.[p.name] === undefined);
      if (missing.length > 0) {
        throw new InputError(`task ${def.name} needs param ${missing.map((p) => p.name).join(', ')}: give ${missing.map((p) => `-p ${p.name}=VALUE`).join(' ')}`);
      }
      const outcome = await runTaskLocally({
        task: renderTaskObject(def, { version: DEV_VERSION, image: devImage(def.program) }),
        params: opts.param ?? {},
        workspaces: Object.fromEntries(Object.entries(opts.workspace ?? {}).map(([k, v]) => [k, path.resolve(v)])),
        mounts: Object.fromEntries(Object.entries(opts.mount ?? {}).map(([k, v]) => [k, path.resolve(v)])),
        ...(opts.resultsDir ? { resultsDir: path.resolve(opts.resultsDir) } : {}),
        onLog: (line) => process.stderr.write(`${line}\n`),
        ...(process.env['HAT_DEBUG'] ? { env: { HAT_DEBUG: '1' } } : {}),
      });
      for (const [k, v] of Object.entries(outcome.results)) process.stdout.write(`${k}=${JSON.stringify(v)}\n`);
      process.exitCode = outcome.exitCode;
    });
}
