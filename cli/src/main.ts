import { Command, CommanderError } from 'commander';
import { exitCodeOf, mask, oneLine } from '@hat/task-runtime';
import { hasRepo, toolsBin } from '@hat/task-runner';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { registerCatalogCommand } from './commands/catalog.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDeployCommand } from './commands/deploy.ts';
import { registerEnvCommands } from './commands/env.ts';
import { registerGenerateCommand } from './commands/generate.ts';
import { registerImageCommands } from './commands/image.ts';
import { registerStatusCommands } from './commands/status.ts';
import { registerTaskCommands } from './commands/task.ts';
import { registerValidateCommand } from './commands/validate.ts';

// The project's pinned tools (helm, the Tekton validator) come first.
if (hasRepo) process.env['PATH'] = `${toolsBin}${path.delimiter}${process.env['PATH'] ?? ''}`;

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('hat')
  .description('HAT: Helm, ArgoCD, Tekton. A catalog of tested Tekton tasks for GitOps CI/CD.')
  .version(version, '-V, --version', 'print the version of hat')
  // Root options only before a command: `hat env add-app --version 1.0.0` is add-app's --version.
  .enablePositionalOptions()
  .showHelpAfterError()
  .exitOverride();
// Everywhere, also installed from the npm package: what works on env repos and YAML files alone.
registerValidateCommand(program);
registerDeployCommand(program);
registerEnvCommands(program);
registerStatusCommands(program);
// In a clone of the HAT repository only: what needs its tasks, catalog, charts, test servers or tools.
if (hasRepo) {
  registerGenerateCommand(program);
  registerTaskCommands(program);
  registerCatalogCommand(program);
  registerImageCommands(program);
  registerDemoCommand(program);
} else {
  program.addHelpText('after', '\nIn a clone of the HAT repository hat also has: task, catalog, image, generate, demo, run.');
}

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
