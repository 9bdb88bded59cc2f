// bench/startup: cold start of each task bundle given invalid params (it validates and exits 2),
// next to bare `node -e 0`, median of N runs each. Target: ≤ 100 ms over bare node.
// Run: npx tsx bench/startup.ts [runs]
import { execa } from 'execa';
import { ensureBundle } from '@hat/task-runner';
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
console.log(`bench/startup: median of ${runs} cold starts each\n`);
printTable(['program', 'median', 'over bare node', 'target ≤100 ms'], rows);
console.log(`\nstartup: worst_over_node=${worst.toFixed(1)}ms target=100ms ${worst <= 100 ? 'PASS' : 'FAIL'}`);
