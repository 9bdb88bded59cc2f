import { writeFile } from 'node:fs/promises';
import { MAX_RESULTS_BYTES, resultPathEnv, type TaskDefinition } from '@hat/task-spec';
import { HatError } from './errors.ts';
import { mask } from './secrets.ts';

/** Writes each result to `$(results.<name>.path)`; checks Tekton's size limit before writing anything. */
export async function writeResults(task: TaskDefinition, results: Record<string, string>, env: NodeJS.ProcessEnv): Promise<void> {
  const declared = Object.keys(task.results);
  const missing = declared.filter((name) => results[name] === undefined);
  const extra = Object.keys(results).filter((name) => !declared.includes(name));
  if (missing.length > 0 || extra.length > 0) {
    throw new HatError(`task ${task.name} produced results that do not match its definition (missing: ${missing.join(', ') || '-'}; undeclared: ${extra.join(', ') || '-'})`);
  }
  const values = declared.map((name) => [name, mask(results[name] ?? '')] as const);
  const total = values.reduce((sum, [, v]) => sum + Buffer.byteLength(v), 0);
  if (total > MAX_RESULTS_BYTES) {
    throw new HatError(`results of ${task.name} take ${total} bytes, over Tekton's limit of ${MAX_RESULTS_BYTES}`);
  }
  for (const [name, value] of values) {
    const target = env[resultPathEnv(name)];
    if (target) await writeFile(target, value);
  }
}
