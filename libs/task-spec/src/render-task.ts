import type { TaskDefinition } from './define-task.ts';
import {
  IMAGE_ENTRYPOINT,
  mountDirEnv,
  mountPath,
  paramEnv,
  resultPathEnv,
  workspaceBoundEnv,
  workspacePathEnv,
} from './env-names.ts';
import { paramInfos } from './param-info.ts';

export const TEKTON_MIN_VERSION = '0.56.0';
/** The platforms task images are built for: the base's node and Debian packages are linux/amd64 (see docs/images.md). */
export const TASK_PLATFORMS = 'linux/amd64';
/** The step's writable temp dir (an emptyDir): the root file system is read-only. */
export const TMP_VOLUME = 'tmp';
/** Image used in development renders; `hat catalog publish` replaces it with `repo:tag@sha256:…`. */
export const devImage = (program: string): string => `localhost/hat/${program}:dev`;

export interface RenderOptions {
  /** Catalog version of this Task (label `app.kubernetes.io/version`). */
  readonly version: string;
  readonly image: string;
}

/** The Tekton v1 Task for a definition: params reach the step as env, never through a script. */
export function renderTaskObject(task: TaskDefinition, opts: RenderOptions): Record<string, unknown> {
  const params = paramInfos(task);
  const env: Array<Record<string, unknown>> = [
    ...params.map((p) => ({ name: paramEnv(p.name), value: `$(params.${p.name})` })),
    ...Object.keys(task.results).map((r) => ({ name: resultPathEnv(r), value: `$(results.${r}.path)` })),
    ...task.workspaces.flatMap((w) => [
      { name: workspacePathEnv(w.name), value: `$(workspaces.${w.name}.path)` },
      ...(w.optional ? [{ name: workspaceBoundEnv(w.name), value: `$(workspaces.${w.name}.bound)` }] : []),
    ]),
    ...task.mounts.map((m) => ({ name: mountDirEnv(m.name), value: mountPath(m.name) })),
    ...Object.entries(task.env).map(([name, value]) => ({ name, value })),
  ];
  const step: Record<string, unknown> = {
    name: 'run',
    image: opts.image,
    command: ['node', IMAGE_ENTRYPOINT],
    env,
    securityContext: task.securityContext,
  };
  if (Object.keys(task.computeResources).length > 0) step['computeResources'] = task.computeResources;
  // The root file system is read-only (NON_ROOT_SECURITY_CONTEXT): temp files go to an emptyDir at /tmp.
  step['volumeMounts'] = [
    { name: TMP_VOLUME, mountPath: '/tmp' },
    ...task.mounts.map((m) => ({ name: m.name, mountPath: mountPath(m.name), readOnly: true })),
  ];
  const spec: Record<string, unknown> = {
    description: task.description,
    params: params.map((p) => ({
      name: p.name,
      type: 'string',
      description: p.description,
      ...(p.default !== undefined ? { default: p.default } : {}),
    })),
    results: Object.entries(task.results).map(([name, r]) => ({ name, type: 'string', description: r.description })),
  };
  if (task.workspaces.length > 0) {
    spec['workspaces'] = task.workspaces.map((w) => ({
      name: w.name,
      description: w.description,
      ...(w.optional ? { optional: true } : {}),
      ...(w.readOnly ? { readOnly: true } : {}),
    }));
  }
  spec['steps'] = [step];
  spec['volumes'] = [
    { name: TMP_VOLUME, emptyDir: {} },
    ...task.mounts.map((m) =>
      m.kind === 'secret'
        ? { name: m.name, secret: { secretName: m.objectName, ...(m.optional ? { optional: true } : {}) } }
        : { name: m.name, configMap: { name: m.objectName, ...(m.optional ? { optional: true } : {}) } },
    ),
  ];
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Task',
    metadata: {
      name: task.name,
      labels: { 'app.kubernetes.io/version': opts.version, 'app.kubernetes.io/part-of': 'hat' },
      annotations: {
        'tekton.dev/pipelines.minVersion': TEKTON_MIN_VERSION,
        'tekton.dev/categories': task.categories.join(', '),
        'tekton.dev/tags': task.tags.join(', '),
        'tekton.dev/displayName': task.displayName,
        'tekton.dev/platforms': TASK_PLATFORMS,
      },
    },
    spec,
  };
}

export const GENERATED_HEADER = '# Generated from the task definition (src/task.ts) by `hat generate`; do not edit.\n';
