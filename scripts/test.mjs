// `npm test`: the whole vitest suite, then one plain closing line "N passed, N failed, N skipped" (read by CI).
// Extra arguments go to vitest (e.g. `npm test -- tasks/deploy`).
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'node_modules', '.cache', 'hat', 'vitest-results.json');
await mkdir(path.dirname(out), { recursive: true });
// Colour only on a terminal: vitest's colours switch on under CI=true even when the output goes to a log file.
const env = process.stdout.isTTY ? {} : { NO_COLOR: '1', FORCE_COLOR: undefined };
const run = await execa('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  reject: false,
  env,
});
const summary = await readFile(out, 'utf8').then((t) => JSON.parse(t), () => undefined);
if (summary) {
  const skipped = summary.numPendingTests + summary.numTodoTests;
  console.log(`\n${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`);
}
process.exit(run.exitCode ?? 1);
