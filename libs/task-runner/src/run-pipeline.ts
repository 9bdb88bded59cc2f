import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '@hat/task-runtime';
import { runTaskLocally, type LocalRunResult } from './run-local.ts';
import { substitute } from './substitute.ts';

interface WhenExpression {
  input?: string;
  operator?: 'in' | 'notin';
  values?: string[];
  cel?: string;
}

export interface PipelineTaskSpec {
  name: string;
  taskRef?: { name?: string; kind?: string; resolver?: string; params?: Array<{ name: string; value: string }> };
  taskSpec?: Record<string, unknown>;
  params?: Array<{ name: string; value: string }>;
  workspaces?: Array<{ name: string; workspace: string; subPath?: string }>;
  runAfter?: string[];
  when?: WhenExpression[];
}

interface PipelineYaml {
  metadata: { name: string };
  spec: { params?: Array<{ name: string; default?: string }>; workspaces?: Array<{ name: string; optional?: boolean }>; tasks: PipelineTaskSpec[]; finally?: PipelineTaskSpec[] };
}

export type TaskStatus = 'Succeeded' | 'Failed' | 'Skipped';

export interface PipelineTaskOutcome {
  readonly name: string;
  readonly status: TaskStatus;
  readonly reason?: string;
  readonly results: Record<string, string>;
  readonly durationMs: number;
  readonly errorLine?: string | undefined;
  readonly log?: string;
}

export type PipelineEvent =
  | { readonly type: 'start'; readonly task: string; readonly taskRef: string }
  | { readonly type: 'end'; readonly task: string; readonly outcome: PipelineTaskOutcome };

export interface PipelineRunOptions {
  readonly pipeline: unknown;
  readonly params?: Readonly<Record<string, string>>;
  /** Pipeline workspace name → host directory. */
  readonly workspaces?: Readonly<Record<string, string>>;
  /** Finds the Task a PipelineTask refers to (a catalog file, a dev render, …). */
  readonly resolveTask: (ref: NonNullable<PipelineTaskSpec['taskRef']>) => Promise<unknown>;
  /** Secrets/ConfigMaps every task may mount (see runTaskLocally). */
  readonly mounts?: Readonly<Record<string, string>>;
  readonly pipelineRunName?: string;
  readonly hostCommands?: boolean;
  readonly onEvent?: (event: PipelineEvent) => void;
  readonly onLog?: (task: string, line: string) => void;
  readonly signal?: AbortSignal;
}

export interface PipelineRunResult {
  /** As Tekton reports a PipelineRun: Completed (not Succeeded) when no task failed but some were skipped. */
  readonly status: 'Succeeded' | 'Completed' | 'Failed';
  readonly tasks: readonly PipelineTaskOutcome[];
  /** The first failed task and its `error:` line. */
  readonly failure?: { readonly task: string; readonly errorLine: string };
}

const RESULT_REF = /\$\(tasks\.([a-z0-9-]+)\.results\.([A-Za-z0-9_.-]+)\)/g;

/** The tasks a PipelineTask waits for: runAfter plus every task whose results it reads. */
function dependencies(t: PipelineTaskSpec): Set<string> {
  const deps = new Set(t.runAfter ?? []);
  const text = JSON.stringify([t.params ?? [], t.when ?? []]);
  for (const m of text.matchAll(RESULT_REF)) deps.add(m[1]!);
  return deps;
}

/**
 * Runs a Tekton Pipeline on this host the way Tekton schedules it: tasks in dependency order (runAfter and
 * result references), when-expressions evaluated on resolved params and results (a false one skips only that
 * task), tasks that read results of a skipped task skipped too, results passed between tasks, first failure stops it.
 */
export async function runPipelineLocally(opts: PipelineRunOptions): Promise<PipelineRunResult> {
  const pipeline = opts.pipeline as PipelineYaml;
  const runName = opts.pipelineRunName ?? `${pipeline.metadata.name}-local`;
  const declared = pipeline.spec.params ?? [];
  const params: Record<string, string> = {};
  for (const p of declared) {
    const value = opts.params?.[p.name] ?? p.default;
    if (value === undefined) throw new InputError(`pipeline ${pipeline.metadata.name} needs param ${p.name}`);
    params[p.name] = value;
  }
  const unknown = Object.keys(opts.params ?? {}).filter((k) => !declared.some((p) => p.name === k));
  if (unknown.length > 0) throw new InputError(`pipeline ${pipeline.metadata.name} has no param ${unknown.join(', ')}`);

  const outcomes = new Map<string, PipelineTaskOutcome>();
  const lookup = (ref: string): string | undefined => {
    if (ref.startsWith('params.')) return params[ref.slice('params.'.length)];
    const m = /^tasks\.([a-z0-9-]+)\.results\.(.+)$/.exec(ref);
    if (m) return outcomes.get(m[1]!)?.results[m[2]!];
    if (ref === 'context.pipelineRun.name') return runName;
    if (ref === 'context.pipeline.name') return pipeline.metadata.name;
    return undefined;
  };
  const pending = [...pipeline.spec.tasks];
  let failure: PipelineRunResult['failure'];
  while (pending.length > 0 && !failure) {
    const index = pending.findIndex((t) => [...dependencies(t)].every((d) => outcomes.has(d)));
    if (index < 0) throw new InputError(`pipeline ${pipeline.metadata.name}: tasks ${pending.map((t) => t.name).join(', ')} wait on each other or on unknown tasks`);
    const [task] = pending.splice(index, 1) as [PipelineTaskSpec];
    const skippedDep = [...dependencies(task)].find((d) => outcomes.get(d)?.status === 'Skipped' && JSON.stringify(task.params ?? []).includes(`$(tasks.${d}.results.`));
    const skip = (reason: string): void => {
      const outcome: PipelineTaskOutcome = { name: task.name, status: 'Skipped', reason, results: {}, durationMs: 0 };
      outcomes.set(task.name, outcome);
      opts.onEvent?.({ type: 'end', task: task.name, outcome });
    };
    if (skippedDep) {
      skip(`it reads results of ${skippedDep}, which was skipped`);
      continue;
    }
    const falseWhen = (task.when ?? []).find((w) => !evaluateWhen(w, lookup));
    if (falseWhen) {
      skip(`when ${substitute(falseWhen.input ?? '', lookup)} ${falseWhen.operator} [${(falseWhen.values ?? []).join(', ')}] is false`);
      continue;
    }
    const taskObject = task.taskSpec ? { metadata: { name: task.name }, spec: task.taskSpec } : await opts.resolveTask(task.taskRef ?? {});
    const taskParams = Object.fromEntries((task.params ?? []).map((p) => [p.name, substitute(String(p.value), lookup)]));
    const workspaces: Record<string, string> = {};
    for (const w of task.workspaces ?? []) {
      const base = opts.workspaces?.[w.workspace];
      if (!base) continue;
      const dir = w.subPath ? path.join(base, w.subPath) : base;
      await mkdir(dir, { recursive: true });
      workspaces[w.name] = dir;
    }
    const refName = task.taskRef?.name ?? task.taskRef?.params?.find((p) => p.name === 'name')?.value;
    opts.onEvent?.({ type: 'start', task: task.name, taskRef: refName ?? (task.taskSpec ? 'inline taskSpec' : 'unnamed') });
    const run: LocalRunResult = await runTaskLocally({
      task: taskObject,
      params: taskParams,
      workspaces,
      ...(opts.mounts ? { mounts: opts.mounts } : {}),
      taskRunName: `${runName}-${task.name}`,
      context: { 'context.pipelineRun.name': runName },
      ...(opts.hostCommands ? { hostCommands: true } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onLog: (line) => opts.onLog?.(task.name, line),
    });
    const outcome: PipelineTaskOutcome = {
      name: task.name,
      status: run.exitCode === 0 ? 'Succeeded' : 'Failed',
      results: run.results,
      durationMs: run.durationMs,
      errorLine: run.errorLine,
      log: run.log,
    };
    outcomes.set(task.name, outcome);
    opts.onEvent?.({ type: 'end', task: task.name, outcome });
    if (run.exitCode !== 0) failure = { task: task.name, errorLine: run.errorLine ?? `exit ${run.exitCode}` };
  }
  const tasks = [...outcomes.values()];
  const status = failure ? 'Failed' : tasks.some((t) => t.status === 'Skipped') ? 'Completed' : 'Succeeded';
  return { status, tasks, ...(failure ? { failure } : {}) };
}

function evaluateWhen(w: WhenExpression, lookup: (ref: string) => string | undefined): boolean {
  if (w.cel !== undefined) throw new InputError(`when-expression with cel is not supported by the local runner: ${w.cel}`);
  const input = substitute(w.input ?? '', lookup);
  const values = (w.values ?? []).map((v) => substitute(v, lookup));
  const found = values.includes(input);
  return w.operator === 'notin' ? !found : found;
}
