import type * as z from 'zod';

/** A result the task writes; every HAT result is a string. */
export interface ResultSpec {
  readonly description: string;
}

export interface WorkspaceSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
  readonly readOnly?: boolean;
}

/** A Secret or ConfigMap the SREs own, mounted read-only; the program finds it through `dirEnv`. */
export interface MountSpec {
  readonly kind: 'secret' | 'configMap';
  /** Kubernetes object name, e.g. `hat-gitops-test`. */
  readonly objectName: string;
  readonly description: string;
  readonly optional?: boolean;
  /** Short name; the program reads the mount dir from env `MOUNT_<NAME>_DIR`. */
  readonly name: string;
}

export interface TaskMeta {
  /** Tekton Task name (DNS-1123), e.g. `deploy-test`. */
  readonly name: string;
  /** The program (folder under tasks/) that implements it; several Tasks may share one. */
  readonly program: string;
  readonly displayName: string;
  readonly description: string;
  readonly categories: readonly string[];
  readonly tags: readonly string[];
}

export interface TaskDefinition<P extends z.ZodObject = z.ZodObject, R extends string = string> extends TaskMeta {
  readonly params: P;
  readonly results: Readonly<Record<R, ResultSpec>>;
  readonly workspaces: readonly WorkspaceSpec[];
  readonly mounts: readonly MountSpec[];
  /** Extra env the Task sets for the step (constants only, never params). */
  readonly env: Readonly<Record<string, string>>;
  /** Step securityContext; defaults to non-root, no privilege escalation, all capabilities dropped. */
  readonly securityContext: Readonly<Record<string, unknown>>;
  /** Step compute resources. */
  readonly computeResources: Readonly<Record<string, unknown>>;
  /** The base image the program's image is built on: `node` (git, ssh, helm, node) or `buildah` (the same plus buildah, as root). */
  readonly base: 'node' | 'buildah';
}

export type TaskInput<P extends z.ZodObject, R extends string> = Omit<
  TaskDefinition<P, R>,
  'workspaces' | 'mounts' | 'env' | 'securityContext' | 'computeResources' | 'program' | 'base'
> &
  Partial<Pick<TaskDefinition<P, R>, 'workspaces' | 'mounts' | 'env' | 'securityContext' | 'computeResources' | 'program' | 'base'>>;

export const NON_ROOT_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

/** Declares a task once; everything else (runtime validation, Task YAML, README tables) derives from it. */
export function defineTask<P extends z.ZodObject, R extends string>(input: TaskInput<P, R>): TaskDefinition<P, R> {
  return {
    program: input.name,
    workspaces: [],
    mounts: [],
    env: {},
    securityContext: NON_ROOT_SECURITY_CONTEXT,
    computeResources: {},
    base: 'node',
    ...input,
  };
}

/** The typed params a task's run() receives. */
export type ParamsOf<T> = T extends TaskDefinition<infer P, string> ? z.output<P> : never;
/** The result names of a task. */
export type ResultsOf<T> = T extends TaskDefinition<z.ZodObject, infer R> ? Record<R, string> : never;
