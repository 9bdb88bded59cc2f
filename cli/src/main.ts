import { Command, CommanderError } from 'commander';
import { exitCodeOf, mask, oneLine } from '@hat/task-runtime';
import { toolsBin } from '@hat/task-runner';
import path from 'node:path';
import { registerCatalogCommand } from './commands/catalog.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDeployCommand } from './commands/deploy.ts';
import { registerEnvCommands } from './commands/env.ts';
import { registerGenerateCommand } from './commands/generate.ts';
import { registerStatusCommands } from './commands/status.ts';
import { registerTaskCommands } from './commands/task.ts';
import { registerValidateCommand } from './commands/validate.ts';

// The project's pinned tools (helm, the Tekton validator) come first.
process.env['PATH'] = `${toolsBin}${path.delimiter}${process.env['PATH'] ?? ''}`;

const program = new Command('hat')
  .description('HAT: Helm, ArgoCD, Tekton. A catalog of tested Tekton tasks for GitOps CI/CD.')
  .showHelpAfterError()
  .exitOverride();
registerValidateCommand(program);
registerGenerateCommand(program);
registerTaskCommands(program);
registerDeployCommand(program);
registerCatalogCommand(program);
registerEnvCommands(program);
registerStatusCommands(program);
registerDemoCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`error: ${mask(oneLine(err instanceof Error ? err.message : String(err)))}\n`);
    if (process.env['HAT_DEBUG'] && err instanceof Error) process.stderr.write(`${mask(err.stack ?? '')}\n`);
    process.exitCode = exitCodeOf(err);
  }
}
