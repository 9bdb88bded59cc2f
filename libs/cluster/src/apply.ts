// Server-side apply of Kubernetes objects with @kubernetes/client-node (field manager `hat`), and a bounded wait
// for Deployments and StatefulSets to be ready. Used by `hat cluster up` (its add-ons) and `hat install`.
import { AppsV1Api, KubeConfig, KubernetesObjectApi, loadYaml, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { waitUntil } from './wait.ts';

export function loadKubeconfig(file: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(file);
  return config;
}

/**
 * An object as written in a manifest (JSON field names) in client-node's typed form: its serializer maps typed
 * models' property names back to JSON names and drops the rest, so a raw CustomResourceDefinition would lose its
 * `x-kubernetes-*` schema fields on the way out. Kinds client-node does not know pass through unchanged.
 */
export const typedObject = (object: KubernetesObject): KubernetesObject => loadYaml<KubernetesObject>(JSON.stringify(object));

/** `Kind namespace/name`, for progress and errors. */
export const describeObject = (o: KubernetesObject): string => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;

/**
 * Whether an apply changed what was asked for. A new resourceVersion alone does not say so: a controller may have
 * written the object's status between the read and the apply (a Deployment whose pod is just starting). Where the
 * object has a generation (bumped by spec changes only), that and its labels and annotations decide.
 */
export function appliedChange(before: KubernetesObject | undefined, after: KubernetesObject): boolean {
  if (!before) return true;
  if (before.metadata?.resourceVersion === after.metadata?.resourceVersion) return false;
  if (before.metadata?.generation === undefined || after.metadata?.generation === undefined) return true;
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
  return before.metadata.generation !== after.metadata.generation || !same(before.metadata.labels, after.metadata.labels) || !same(before.metadata.annotations, after.metadata.annotations);
}

/** Applies one object (server-side apply, conflicts forced to `hat`); true when the server changed it. */
export async function applyOne(config: KubeConfig, raw: KubernetesObject): Promise<boolean> {
  const api = KubernetesObjectApi.makeApiClient(config);
  const object = typedObject(raw);
  const before = await api.read(object as KubernetesObject & { metadata: { name: string } }).catch(() => undefined);
  const after = await api.patch(object, undefined, undefined, 'hat', true, PatchStrategy.ServerSideApply);
  return appliedChange(before, after);
}

/** Applies each object in order; returns how many the server changed. */
export async function applyObjects(config: KubeConfig, objects: readonly KubernetesObject[]): Promise<number> {
  let changed = 0;
  for (const object of objects) if (await applyOne(config, object)) changed++;
  return changed;
}

export async function waitForWorkload(config: KubeConfig, kind: 'Deployment' | 'StatefulSet', namespace: string, name: string, timeoutMs: number): Promise<void> {
  const apps = config.makeApiClient(AppsV1Api);
  let last = 'not found';
  await waitUntil(`${kind} ${namespace}/${name}`, async () => {
    const w = kind === 'Deployment' ? await apps.readNamespacedDeployment({ name, namespace }) : await apps.readNamespacedStatefulSet({ name, namespace });
    const want = w.spec?.replicas ?? 1;
    const ready = (kind === 'Deployment' ? (w.status as { availableReplicas?: number } | undefined)?.availableReplicas : w.status?.readyReplicas) ?? 0;
    last = `${ready}/${want} ready${w.status?.conditions?.map((c) => `; ${c.type}=${c.status}${c.message ? ` (${c.message})` : ''}`).join('') ?? ''}`;
    return ready >= want && (w.status?.updatedReplicas ?? 0) >= want;
  }, { timeoutMs, lastState: () => `not ready (${last})` });
}

export const waitForDeployment = (config: KubeConfig, namespace: string, name: string, timeoutMs: number): Promise<void> => waitForWorkload(config, 'Deployment', namespace, name, timeoutMs);
