import type { Command } from 'commander';
import { describe } from '../command-table.ts';
import { HatError } from '@hat/task-runtime';
import { validateFiles } from '@hat/catalog';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(describe('validate'))
    .argument('<files...>', 'YAML files or folders (multi-document allowed)')
    .option('--allow-image <regex>', 'accept unpinned images matching this regex (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--strict-kinds', 'fail on objects of kinds it does not know (anything but Tekton and Triggers), instead of skipping them')
    .action(async (files: string[], opts: { allowImage?: string[]; strictKinds?: boolean }) => {
      const allow = opts.allowImage ? { allowImages: opts.allowImage } : {};
      const { ok, problems, checked } = await validateFiles(files, { ...allow, ...(opts.strictKinds ? { strictKinds: true } : {}) });
      for (const p of problems) process.stdout.write(`${p}\n`);
      const skipped = checked.unknown > 0 ? `; ${plural(checked.unknown, 'object')} of other kinds skipped (--strict-kinds fails on them)` : '';
      if (!ok) {
        process.stdout.write(`${plural(checked.files, 'file')}, ${plural(checked.objects, 'object')} checked${skipped}: ${plural(problems.length, 'problem')}\n`);
        process.exitCode = 1;
        return;
      }
      if (checked.objects === 0) {
        throw new HatError(`nothing to validate: ${plural(checked.files, 'file')} read, no Tekton or Triggers object in them${skipped}`);
      }
      process.stdout.write(`${plural(checked.files, 'file')}, ${plural(checked.objects, 'object')} valid${skipped}\n`);
    });
}
