// How Tekton wiring reaches the program: one naming rule, used by the renderer and the runtime.
const envKey = (name: string): string => name.toUpperCase().replace(/[-.]/g, '_');

export const paramEnv = (param: string): string => `PARAM_${envKey(param)}`;
export const resultPathEnv = (result: string): string => `RESULT_${envKey(result)}_PATH`;
export const workspacePathEnv = (workspace: string): string => `WORKSPACE_${envKey(workspace)}_PATH`;
export const workspaceBoundEnv = (workspace: string): string => `WORKSPACE_${envKey(workspace)}_BOUND`;
export const mountDirEnv = (mount: string): string => `MOUNT_${envKey(mount)}_DIR`;
export const mountPath = (mount: string): string => `/var/run/hat/${mount}`;

/** The program inside a task image; the local runner maps it to the task's bundle. */
export const IMAGE_ENTRYPOINT = '/opt/hat/task.mjs';
/** Tekton's limit for all results of one step (termination message). */
export const MAX_RESULTS_BYTES = 4096;
