// Server-side apply of Kubernetes objects with @kubernetes/client-node (field manager `hat`), and a bounded wait
// for Deployments to be available. Used by `hat cluster up` (its add-ons) and, next, `hat install`.
import { AppsV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { waitUntil } from './wait.ts';

export function loadKubeconfig(file: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(file);
  return config;
}

/** Applies each object (server-side apply, conflicts forced to `hat`); returns how many the server changed. */
export async function applyObjects(config: KubeConfig, objects: readonly KubernetesObject[]): Promise<number> {
  const api = KubernetesObjectApi.makeApiClient(config);
  let changed = 0;
  for (const object of objects) {
    const before = await api.read(object as KubernetesObject & { metadata: { name: string } }).catch(() => undefined);
    const after = await api.patch(object, undefined, undefined, 'hat', true, PatchStrategy.ServerSideApply);
    if (before?.metadata?.resourceVersion !== after.metadata?.resourceVersion) changed++;
  }
  return changed;
}

export async function waitForDeployment(config: KubeConfig, namespace: string, name: string, timeoutMs: number): Promise<void> {
  const apps = config.makeApiClient(AppsV1Api);
  let last = 'not found';
  await waitUntil(`deployment ${namespace}/${name}`, async () => {
    const d = await apps.readNamespacedDeployment({ name, namespace });
    const want = d.spec?.replicas ?? 1;
    const available = d.status?.availableReplicas ?? 0;
    last = `${available}/${want} available${d.status?.conditions?.map((c) => `; ${c.type}=${c.status}${c.message ? ` (${c.message})` : ''}`).join('') ?? ''}`;
    return available >= want && (d.status?.updatedReplicas ?? 0) >= want;
  }, { timeoutMs, lastState: () => `not available (${last})` });
}
