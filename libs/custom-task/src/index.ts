export { completion, isCancelled, isDone, isFor, paramsOf } from './custom-run.ts';
export type { Condition, CustomRun, CustomTaskRef, RunOutcome } from './custom-run.ts';
export { serveCustomRuns } from './serve.ts';
export type { ServedRun, ServeOptions } from './serve.ts';
