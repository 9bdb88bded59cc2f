import path from 'node:path';
import type { Command } from 'commander';
import { describe } from '../command-table.ts';
import { createLogger } from '@hat/task-runtime';
import { runDemo } from '../demo/demo.ts';
import { runApp } from '../demo/run-app.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(describe('demo'))
    .option('-v, --verbose', 'show every task log line and where each Task came from')
    .option('--json', 'print the final matrix as JSON on stdout (progress goes to stderr)')
    .option('--catalog <dir>', 'catalog to take the Task YAML from (default: catalog/)')
    .action(async (opts: { verbose?: boolean; json?: boolean; catalog?: string }) => {
      const write = (line: string): void => {
        (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
      };
      const result = await runDemo({
        out: write,
        verbose: Boolean(opts.verbose),
        log: createLogger({ write: opts.verbose ? write : () => undefined }),
        ...(opts.catalog ? { catalogDir: opts.catalog } : {}),
      });
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });
  program
    .command('run')
    .description(describe('run'))
    .requiredOption('--values <file>', 'the pipeline values of the app (e.g. .hat/pipeline-values.yaml)')
    .requiredOption('--source <dir>', 'the app repo (a git work tree; its ref and tags are pushed to the local git server)')
    .option('--ref <ref>', 'the pushed ref to simulate (default: the current branch), e.g. refs/tags/v1.2.0')
    .option('-v, --verbose', 'show every task log line')
    .option('--catalog <dir>', 'catalog to take the Task YAML from (default: catalog/)')
    .action(async (opts: { values: string; source: string; ref?: string; verbose?: boolean; catalog?: string }) => {
      const write = (line: string): void => {
        process.stdout.write(`${line}\n`);
      };
      await runApp({
        valuesFile: path.resolve(opts.values),
        source: path.resolve(opts.source),
        ...(opts.ref ? { ref: opts.ref } : {}),
        out: write,
        verbose: Boolean(opts.verbose),
        log: createLogger({ write: opts.verbose ? write : () => undefined }),
        ...(opts.catalog ? { catalogDir: opts.catalog } : {}),
      });
    });
}
