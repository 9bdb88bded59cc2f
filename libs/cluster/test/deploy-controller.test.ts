import { describe, expect, it } from 'vitest';
import { renderTaskObject } from '@hat/task-spec';
import { deployTask } from '@hat/task-deploy';
import { deployControllerObjects, newestDeployTask, type TaskObject } from '../src/deploy-controller.ts';

const IMAGE = 'ghcr.io/hat-project/hat/deploy@sha256:' + 'a'.repeat(64);
const taskOf = (env: 'test' | 'prod', version = '1.4.14', suffix = '-v1') => {
  const t = renderTaskObject(deployTask(env), { version, image: IMAGE }) as unknown as TaskObject;
  return { ...t, metadata: { ...t.metadata, name: `${t.metadata!.name}${suffix}` } } as TaskObject;
};
type Container = { image: string; env: Array<{ name: string; value: string }>; securityContext: unknown; volumeMounts: unknown[] };

describe('deployControllerObjects', () => {
  const objects = deployControllerObjects(taskOf('prod'), { namespace: 'hat-tasks', argocdNamespace: 'argocd' });
  const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as { metadata: { name: string; namespace: string }; spec: { replicas: number; strategy: { type: string }; template: { spec: { serviceAccountName: string; containers: Container[]; volumes: unknown[] } } } };
  const task = taskOf('prod');
  const step = task.spec.steps[0] as unknown as Container;

  it('runs the Task\'s own image, mounts and security context, one replica, never two at once, with HAT_SERVE=custom-runs', () => {
    const c = deployment.spec.template.spec.containers[0]!;
    expect(deployment.metadata).toMatchObject({ name: 'hat-deploy-prod-controller', namespace: 'hat-tasks' });
    expect([deployment.spec.replicas, deployment.spec.strategy.type]).toEqual([1, 'Recreate']);
    expect(c.image).toBe(IMAGE);
    expect(c.securityContext).toEqual(step.securityContext);
    expect(c.volumeMounts).toEqual(step.volumeMounts);
    expect(deployment.spec.template.spec.volumes).toEqual(task.spec.volumes);
    // The Task's fixed env, none of what Tekton fills in per run.
    const env = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ HAT_ENV: 'prod', HAT_SERVE: 'custom-runs', MOUNT_GITOPS_CONFIG_DIR: '/var/run/hat/gitops-config', MOUNT_GITOPS_CREDENTIALS_DIR: '/var/run/hat/gitops-credentials' });
    expect(c.env.filter((e) => e.value.includes('$('))).toEqual([]);
    expect(env['PARAM_APP']).toBeUndefined();
  });

  it('its ServiceAccount may read CustomRuns and write their status here, read Applications in Argo CD\'s namespace, nothing else', () => {
    const roles = objects.filter((o) => o.kind === 'Role') as unknown as Array<{ metadata: { namespace: string }; rules: unknown[] }>;
    expect(roles.map((r) => [r.metadata.namespace, r.rules])).toEqual([
      ['hat-tasks', [{ apiGroups: ['tekton.dev'], resources: ['customruns'], verbs: ['get', 'list', 'watch'] }, { apiGroups: ['tekton.dev'], resources: ['customruns/status'], verbs: ['get', 'patch', 'update'] }]],
      ['argocd', [{ apiGroups: ['argoproj.io'], resources: ['applications'], verbs: ['get', 'list'] }]],
    ]);
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'Role', 'RoleBinding', 'Deployment']);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('hat-deploy-prod-controller');
  });

  it('picks the newest deploy Task of the env among the namespace\'s, or says to install the catalog', () => {
    const tasks = [taskOf('test', '1.9.0'), taskOf('prod', '1.4.2'), taskOf('prod', '1.10.0', '-v1'), taskOf('prod', '1.9.9', '-v1b')];
    expect(newestDeployTask(tasks, 'prod', 'ns').metadata!.labels!['app.kubernetes.io/version']).toBe('1.10.0');
    expect(() => newestDeployTask(tasks, 'stage', 'hat-tasks')).toThrow('--deploy-controller stage: no deploy-stage Task in namespace hat-tasks, whose image the controller runs: install the catalog first (--catalog-repo, and let Argo CD sync it)');
  });
});
