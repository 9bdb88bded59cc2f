// bench/startup: cold start of each task bundle given invalid params (it validates and exits 2),
// next to bare `node -e 0`, median of N runs each. Target: ≤ 100 ms over bare node.
// Run: npx tsx bench/startup.ts [runs]
import { execa } from 'execa';
import path from 'node:path';
import { ensureBundle, repoRoot } from '@hat/task-runner';
import { paramEnv, paramInfos } from '@hat/task-spec';
import { programs as taskPrograms } from '../cli/src/task-registry.ts';
import { median, ms, printTable, timeRuns } from './lib.ts';

const runs = Number(process.argv[2] ?? 15);

// Both with the same clean environment a Task step gets (NODE_EXTRA_CA_CERTS alone adds ~45 ms to any node start here).
const bare = median(await timeRuns(runs, () => execa(process.execPath, ['-e', '0'], { env: {}, extendEnv: false })));
const rows: string[][] = [['node -e 0 (baseline)', ms(bare), '-', '-']];
let worst = 0;
for (const [program, defs] of taskPrograms()) {
  // Invalid params: every param set to "!!", which each task refuses before doing any work (exit 2).
  const env: Record<string, string> = { HAT_ENV: 'test' };
  for (const p of paramInfos(defs[0]!)) env[paramEnv(p.name)] = '!!';
  const bundle = await ensureBundle(program);
  const check = await execa(process.execPath, [bundle], { env, extendEnv: false, reject: false });
  if (check.exitCode !== 2) throw new Error(`${program}: expected exit 2 on invalid params, got ${check.exitCode}: ${check.stderr}`);
  const t = median(await timeRuns(runs, () => execa(process.execPath, [bundle], { env, extendEnv: false, reject: false })));
  worst = Math.max(worst, t - bare);
  rows.push([`${program} (invalid params → exit 2)`, ms(t), ms(t - bare), t - bare <= 100 ? 'ok' : 'OVER']);
}
// The hat CLI as people run it (cli/bin/hat.mjs: the bundle, after its staleness check in a clone), and installed
// (the bundle alone, as npm install of the package runs it).
const hatBin = path.join(repoRoot, 'cli', 'bin', 'hat.mjs');
await execa(process.execPath, [hatBin, '--version'], { env: {}, extendEnv: false }); // builds the bundle if stale
const cliHelp = median(await timeRuns(runs, () => execa(process.execPath, [hatBin, '--help'], { env: {}, extendEnv: false })));
const bundleHelp = median(await timeRuns(runs, () => execa(process.execPath, [path.join(repoRoot, 'cli', 'dist', 'hat.mjs'), '--help'], { env: {}, extendEnv: false })));
rows.push(['hat --help (cli/bin/hat.mjs, in the repo)', ms(cliHelp), ms(cliHelp - bare), cliHelp - bare <= 150 ? 'ok (≤150)' : 'OVER (150)']);
rows.push(['hat --help (the bundle, as installed)', ms(bundleHelp), ms(bundleHelp - bare), bundleHelp - bare <= 150 ? 'ok (≤150)' : 'OVER (150)']);
console.log(`bench/startup: median of ${runs} cold starts each\n`);
printTable(['program', 'median', 'over bare node', 'target'], rows);
console.log(`\nstartup: worst_over_node=${worst.toFixed(1)}ms target=100ms ${worst <= 100 ? 'PASS' : 'FAIL'} cli_help_over_node_ms=${(cliHelp - bare).toFixed(1)} target=150 ${cliHelp - bare <= 150 ? 'PASS' : 'FAIL'}`);
