import { mountDirEnv, workspaceBoundEnv, workspacePathEnv, type TaskDefinition } from '@hat/task-spec';
import { HatError } from './errors.ts';
import type { Logger } from './logger.ts';

export interface TaskContext {
  readonly log: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** Path of a workspace, or undefined when an optional one is not bound. */
  workspace(name: string): string | undefined;
  /** Directory where a Secret/ConfigMap is mounted, or undefined when an optional one is absent. */
  mountDir(name: string): string | undefined;
  readonly signal: AbortSignal;
}

export function createContext(task: TaskDefinition, env: NodeJS.ProcessEnv, log: Logger, signal: AbortSignal): TaskContext {
  return {
    log,
    env,
    signal,
    workspace(name) {
      const spec = task.workspaces.find((w) => w.name === name);
      if (!spec) throw new HatError(`task ${task.name} declares no workspace ${name}`);
      if (spec.optional && env[workspaceBoundEnv(name)] === 'false') return undefined;
      const dir = env[workspacePathEnv(name)];
      if (!dir && !spec.optional) throw new HatError(`workspace ${name} is not bound (${workspacePathEnv(name)} is empty)`);
      return dir || undefined;
    },
    mountDir(name) {
      if (!task.mounts.some((m) => m.name === name)) throw new HatError(`task ${task.name} declares no mount ${name}`);
      return env[mountDirEnv(name)] || undefined;
    },
  };
}
