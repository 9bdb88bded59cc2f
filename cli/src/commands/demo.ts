import type { Command } from 'commander';
import { createLogger } from '@hat/task-runtime';
import { runDemo } from '../demo/demo.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('the whole flow locally on embedded defaults: app repo → pipeline (catalog tasks) → test, stage, prod → env renders')
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
}
