import type { Command } from 'commander';
import { describe } from '../command-table.ts';
import { HatError } from '@hat/task-runtime';
import { staleFiles, writeGenerated } from '../generate.ts';

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description(describe('generate'))
    .option('--check', 'write nothing; fail when a committed generated file is stale')
    .action(async (opts: { check?: boolean }) => {
      if (opts.check) {
        const stale = await staleFiles();
        if (stale.length > 0) throw new HatError(`stale generated files (run npx hat generate): ${stale.join(', ')}`);
        process.stdout.write('generated files are up to date\n');
        return;
      }
      const written = await writeGenerated();
      process.stdout.write(written.length ? written.map((f) => `wrote ${f}\n`).join('') : 'nothing to write\n');
    });
}
