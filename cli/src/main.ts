import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
// Light entry points only (no execa, zod or yaml): each command loads the rest when it runs.
import { exitCodeOf, oneLine } from '@hat/task-runtime/errors';
import { mask } from '@hat/task-runtime/secrets';
import { hasRepo, toolsBin } from '@hat/task-runner/repo-root';
import { COMMANDS } from './command-table.ts';

// The project's pinned tools (helm, the Tekton validator) come first, in a clone.
if (hasRepo) process.env['PATH'] = `${toolsBin}${path.delimiter}${process.env['PATH'] ?? ''}`;

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('hat')
  .description('HAT: Helm, ArgoCD, Tekton. A catalog of tested Tekton tasks for GitOps CI/CD.')
  .version(version, '-V, --version', 'print the version of hat')
  // Root options only before a command: `hat env add-app --version 1.0.0` is add-app's --version.
  .enablePositionalOptions()
  .showHelpAfterError()
  .exitOverride();

// Everywhere, also installed from the npm package: what works on env repos and YAML files alone. In a clone of
// the HAT repository also what needs its tasks, catalog, charts, test servers or tools.
const available = COMMANDS.filter((c) => hasRepo || !c.repoOnly);
// Only the module of the command being run is loaded (the others are listed by name and description), so that
// `hat --help` and every command start fast.
const asked = process.argv.slice(2).find((a) => !a.startsWith('-'));
const chosen = available.find((c) => c.name === (asked === 'help' ? process.argv.slice(2).find((a, i, all) => i > all.indexOf('help') && !a.startsWith('-')) : asked));
if (chosen) (await chosen.load())(program);
for (const c of available) if (!program.commands.some((cmd) => cmd.name() === c.name)) program.command(c.name).description(c.description);
if (!hasRepo) program.addHelpText('after', '\nIn a clone of the HAT repository hat also has: task, catalog, image, cluster, generate, demo, run.');

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
