// Installs the add-ons (Tekton Pipelines, Triggers, Argo CD) on a cluster: namespaces and CRDs first (until the
// API serves them), then everything else with server-side apply, retrying objects that an add-on's own admission
// webhook refuses while it starts (Tekton validates its ConfigMaps), then a bounded wait for every Deployment and
// StatefulSet with progress. Each wait names what it waited for and its last state.
import { ApiextensionsV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { HatError, type Logger } from '@hat/task-runtime';
import { applyObjects, describeObject, waitForWorkload } from './apply.ts';
import type { AddonName, Manifest } from './addon-manifests.ts';
import { waitUntil } from './wait.ts';

/** The message of a Kubernetes API error (client-node puts the Status in `body`). */
export function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

/** Applies objects until each is accepted, or names the first one still refused after timeoutMs. */
export async function applyUntilAccepted(config: KubeConfig, objects: readonly KubernetesObject[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...objects];
  let changed = 0;
  for (;;) {
    const refused: { object: KubernetesObject; message: string }[] = [];
    for (const object of pending) {
      try {
        changed += await applyObjects(config, [object]);
      } catch (err) {
        refused.push({ object, message: apiMessage(err) });
      }
    }
    if (refused.length === 0) return changed;
    if (Date.now() > deadline) throw new HatError(`${describeObject(refused[0]!.object)} still refused after ${Math.round(timeoutMs / 1000)} s: ${refused[0]!.message}`);
    pending = refused.map((r) => r.object);
    await sleep(1_000);
  }
}

async function waitForCrds(config: KubeConfig, names: readonly string[], timeoutMs: number): Promise<void> {
  const api = config.makeApiClient(ApiextensionsV1Api);
  for (const name of names) {
    await waitUntil(`CustomResourceDefinition ${name}`, async () => {
      const crd = await api.readCustomResourceDefinition({ name });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    }, { timeoutMs, lastState: () => 'not Established' });
  }
}

const FIRST = new Set(['Namespace', 'CustomResourceDefinition']);

/** Applies one add-on's objects and waits until its workloads are available; returns how many objects changed. */
export async function installAddon(config: KubeConfig, name: AddonName, objects: readonly Manifest[], opts: { log: Logger; timeoutMs: number }): Promise<number> {
  const first = objects.filter((o) => FIRST.has(o.kind ?? ''));
  let changed = await applyUntilAccepted(config, first, opts.timeoutMs);
  await waitForCrds(config, first.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata!.name!), opts.timeoutMs);
  changed += await applyUntilAccepted(config, objects.filter((o) => !FIRST.has(o.kind ?? '')), opts.timeoutMs);
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  await opts.log.time(`${name}: ${workloads.length} workloads available`, () =>
    Promise.all(workloads.map((w) => waitForWorkload(config, w.kind as 'Deployment' | 'StatefulSet', w.metadata!.namespace!, w.metadata!.name!, opts.timeoutMs))),
  );
  return changed;
}
