export { ensureBundle, hasRepo, repoRoot, toolsBin } from './bundle.ts';
export { programOfImage, runTaskLocally } from './run-local.ts';
export type { LocalRunOptions, LocalRunResult } from './run-local.ts';
export { substitute } from './substitute.ts';
export { runPipelineLocally } from './run-pipeline.ts';
export type { PipelineEvent, PipelineRunOptions, PipelineRunResult, PipelineTaskOutcome, PipelineTaskSpec, TaskStatus } from './run-pipeline.ts';
export { POD_RESULTS_DIR, podWorkspacePath } from './container-runtime.ts';
export type { ContainerMount, ContainerRuntime, ContainerStep } from './container-runtime.ts';
