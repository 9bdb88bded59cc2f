// Builds the cluster's programs into the per-user cache (all components, or those named) and prints a table.
//   npx tsx libs/cluster/scripts/build.ts [component...]
// Components: kubernetes etcd coredns tekton-pipelines tekton-triggers argocd. Cached entries are not rebuilt; their
// versions are checked again. Exit 1 when any component failed (the others are still built).
import { createLogger } from '@hat/task-runtime';
import { COMPONENTS, ensureComponent, isComponentName, type ComponentBuild, type ComponentName } from '../src/index.ts';

const log = createLogger({ prefix: 'cluster' });
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !isComponentName(name));
if (unknown.length > 0) {
  process.stderr.write(`unknown component(s): ${unknown.join(', ')}; known: ${COMPONENTS.join(' ')}\n`);
  process.exit(2);
}
const names: readonly ComponentName[] = asked.length > 0 ? (asked as ComponentName[]) : COMPONENTS;

const rows: (ComponentBuild | { component: ComponentName; error: string; seconds: number })[] = [];
for (const name of names) {
  const started = performance.now();
  try {
    rows.push(await ensureComponent(name, { log, verify: true }));
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    log.warn(`${name} failed: ${error}`);
    rows.push({ component: name, error, seconds: Math.round((performance.now() - started) / 100) / 10 });
  }
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const table = [
  ['component', 'version', 'path', 'size', 'this run s', 'build s', 'build cpu-s'],
  ...rows.map((row) =>
    'error' in row
      ? [row.component, '-', `FAILED: ${row.error.slice(0, 120)}`, '-', String(row.seconds), '-', '-']
      : [row.component, row.version, row.dir, mb(row.bytes), String(row.seconds), String(row.buildSeconds), row.buildCpuSeconds === undefined ? '-' : String(row.buildCpuSeconds)],
  ),
];
const widths = table[0]!.map((_, col) => Math.max(...table.map((line) => line[col]!.length)));
for (const line of table) process.stdout.write(`${line.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd()}\n`);
process.exit(rows.some((row) => 'error' in row) ? 1 : 0);
