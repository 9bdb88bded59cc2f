import type { Command } from 'commander';
import { validateFiles } from '../validate.ts';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description("validate Tekton YAML with Tekton's own webhook validation, plus HAT's extra checks")
    .argument('<files...>', 'YAML files (multi-document allowed)')
    .option('--allow-image <regex>', 'accept unpinned images matching this regex (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .action(async (files: string[], opts: { allowImage?: string[] }) => {
      const { ok, problems } = await validateFiles(files, opts.allowImage ? { allowImages: opts.allowImage } : {});
      for (const p of problems) process.stdout.write(`${p}\n`);
      if (!ok) process.exitCode = 1;
    });
}
