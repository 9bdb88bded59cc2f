import type * as z from 'zod';
import type { TaskDefinition } from '@hat/task-spec';
import { createContext, type TaskContext } from './context.ts';
import { exitCodeOf, oneLine } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { readParamsFromEnv } from './params.ts';
import { writeResults } from './results.ts';
import { mask } from './secrets.ts';

export type RunFn<P extends z.ZodObject, R extends string> = (params: z.output<P>, ctx: TaskContext) => Promise<Record<R, string>>;

export interface ExecuteOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
  readonly signal?: AbortSignal;
}

/** Runs a task in-process and returns its exit code; logs `error: …` as the last line on failure. */
export async function executeTask<P extends z.ZodObject, R extends string>(
  task: TaskDefinition<P, R>,
  run: RunFn<P, R>,
  opts: ExecuteOptions = {},
): Promise<number> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? createLogger();
  try {
    const params = readParamsFromEnv(task, env);
    const ctx = createContext(task, env, log, opts.signal ?? new AbortController().signal);
    const results = await run(params, ctx);
    await writeResults(task, results, env);
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.info(`error: ${mask(oneLine(message))}`);
    if (env['HAT_DEBUG'] && err instanceof Error && err.stack) log.info(mask(err.stack));
    return exitCodeOf(err);
  }
}

/** The whole `main.ts` of a task: run it, then exit with its code. Only this calls process.exit. */
export function runTask<P extends z.ZodObject, R extends string>(task: TaskDefinition<P, R>, run: RunFn<P, R>): void {
  const controller = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => controller.abort(new Error(`received ${sig}`)));
  void executeTask(task, run, { signal: controller.signal }).then((code) => process.exit(code));
}

/**
 * The `main.ts` of a program serving until it is stopped (a custom task's controller): its context as a task's
 * (env, mounts, log), its signal aborted by SIGTERM or SIGINT; exits 0 when `serve` returns, else as a task does.
 */
export function runService<P extends z.ZodObject, R extends string>(task: TaskDefinition<P, R>, serve: (ctx: TaskContext) => Promise<void>): void {
  const controller = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => controller.abort(new Error(`received ${sig}`)));
  const log = createLogger();
  void serve(createContext(task, process.env, log, controller.signal)).then(
    () => process.exit(0),
    (err: unknown) => {
      log.info(`error: ${mask(oneLine(err instanceof Error ? err.message : String(err)))}`);
      process.exit(exitCodeOf(err));
    },
  );
}
