// An env's deploy controller (tasks/deploy/src/controller.ts): the deploy-<env> Task's own program, image, env,
// mounts and security context, run as a one-replica Deployment with HAT_SERVE=custom-runs in the namespace where the
// pipelines run, serving the CustomRuns that name deploy-<env> (no pod per promotion). Derived from the Task object,
// so it runs exactly what the Task runs; its ServiceAccount may read CustomRuns and write their status, read Argo CD's
// Applications (wait-for-sync), and nothing else. Its git credentials are the env's Secret hat-gitops-<env>, mounted
// as the Task mounts it: the test controller cannot push to prod either.
import type { KubernetesObject } from '@kubernetes/client-node';
import { HatError } from '@hat/task-runtime';
import { compareSemver, parseSemver } from '@hat/gitops/semver';

interface EnvVar {
  readonly name: string;
  readonly value?: string;
}
interface Step {
  readonly image: string;
  readonly env?: readonly EnvVar[];
  readonly securityContext?: unknown;
  readonly volumeMounts?: readonly unknown[];
}
export interface TaskObject extends KubernetesObject {
  readonly spec: { readonly steps: readonly Step[]; readonly volumes?: readonly unknown[] };
}

export interface DeployControllerOptions {
  /** Where the pipelines run: their CustomRuns, and the env's ConfigMap and Secret hat-gitops-<env>. */
  readonly namespace: string;
  /** Argo CD's namespace (wait-for-sync reads its Applications). */
  readonly argocdNamespace: string;
}

/** The name of env's controller, its ServiceAccount and Role. */
export const deployControllerName = (env: string): string => `hat-deploy-${env}-controller`;

/** The env a deploy Task deploys to: its step's HAT_ENV (undefined: not a deploy Task). */
const envOf = (task: TaskObject): string | undefined => task.spec?.steps?.[0]?.env?.find((e) => e.name === 'HAT_ENV')?.value;

/** The controller of the env whose deploy Task `task` is (a rendered deploy-<env> Task). */
export function deployControllerObjects(task: TaskObject, o: DeployControllerOptions): KubernetesObject[] {
  const step = task.spec.steps[0];
  const env = envOf(task);
  if (!step || !env) throw new HatError(`Task ${task.metadata?.name ?? '?'} is not a deploy Task (no step with HAT_ENV)`);
  const name = deployControllerName(env);
  const labels = { 'app.kubernetes.io/name': 'hat-deploy-controller', 'app.kubernetes.io/part-of': 'hat', 'hat.dev/env': env };
  const meta = (namespace: string, suffix = '') => ({ name: `${name}${suffix}`, namespace, labels });
  // The Task's env but what Tekton fills in per run (params, result paths, the TaskRun's name).
  const fixed = (step.env ?? []).filter((e) => e.value === undefined || !e.value.includes('$('));
  const binding = (namespace: string, suffix = '') => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(namespace, suffix),
    subjects: [{ kind: 'ServiceAccount', name, namespace: o.namespace }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${name}${suffix}` },
  });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o.namespace) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(o.namespace),
      rules: [
        { apiGroups: ['tekton.dev'], resources: ['customruns'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['tekton.dev'], resources: ['customruns/status'], verbs: ['get', 'patch', 'update'] },
      ],
    },
    binding(o.namespace),
    // Its own name: Argo CD may share the namespace.
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(o.argocdNamespace, '-argocd'), rules: [{ apiGroups: ['argoproj.io'], resources: ['applications'], verbs: ['get', 'list'] }] },
    binding(o.argocdNamespace, '-argocd'),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(o.namespace),
      spec: {
        replicas: 1,
        // Never two at once (one lander per env repo; a second would only race the first's pushes).
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { 'app.kubernetes.io/name': labels['app.kubernetes.io/name'], 'hat.dev/env': env } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            containers: [
              {
                name: 'controller',
                image: step.image,
                env: [...fixed, { name: 'HAT_SERVE', value: 'custom-runs' }],
                ...(step.securityContext ? { securityContext: step.securityContext } : {}),
                ...(step.volumeMounts ? { volumeMounts: step.volumeMounts } : {}),
                resources: { requests: { cpu: '50m', memory: '96Mi' } },
              },
            ],
            ...(task.spec.volumes ? { volumes: task.spec.volumes } : {}),
          },
        },
      },
    },
  ] as KubernetesObject[];
}

/** The Task's version (its catalog label), or 0.0.0 without one. */
const versionOf = (task: TaskObject) => parseSemver(task.metadata?.labels?.['app.kubernetes.io/version'] ?? '') ?? parseSemver('0.0.0')!;

/**
 * The newest deploy Task of `env` among `tasks` (the Tasks of the namespace, as the catalog synced them: deploy-<env>
 * with any suffix, its step's HAT_ENV the env), or a one-line error saying what to install first.
 */
export function newestDeployTask(tasks: readonly TaskObject[], env: string, namespace: string): TaskObject {
  let best: TaskObject | undefined;
  for (const t of tasks) {
    if (!t.metadata?.name?.startsWith(`deploy-${env}`) || envOf(t) !== env) continue;
    if (!best || compareSemver(versionOf(t), versionOf(best)) > 0) best = t;
  }
  if (!best) throw new HatError(`--deploy-controller ${env}: no deploy-${env} Task in namespace ${namespace}, whose image the controller runs: install the catalog first (--catalog-repo, and let Argo CD sync it)`);
  return best;
}
