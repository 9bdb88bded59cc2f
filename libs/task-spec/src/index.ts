export { defineTask, NON_ROOT_SECURITY_CONTEXT } from './define-task.ts';
export type { MountSpec, ParamsOf, ResultSpec, ResultsOf, TaskDefinition, TaskMeta, WorkspaceSpec } from './define-task.ts';
export {
  IMAGE_ENTRYPOINT,
  MAX_RESULTS_BYTES,
  mountDirEnv,
  mountPath,
  paramEnv,
  resultPathEnv,
  workspaceBoundEnv,
  workspacePathEnv,
} from './env-names.ts';
export { paramInfos } from './param-info.ts';
export type { ParamInfo } from './param-info.ts';
export { devImage, GENERATED_HEADER, renderTaskObject, TASK_PLATFORMS, TEKTON_MIN_VERSION, TMP_VOLUME } from './render-task.ts';
export type { RenderOptions } from './render-task.ts';
export { REFERENCE_END, REFERENCE_START, renderReference, spliceReference } from './render-readme.ts';
