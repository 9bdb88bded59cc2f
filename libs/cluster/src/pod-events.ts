// Why pods are not running, in one line: the Warning events of the pods a label selector picks (FailedMount,
// FailedCreatePodSandBox, ErrImagePull, …), so a bounded wait that gives up says what the node said, not only "Pending".
import type { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';

/** The events' last Warning reasons and messages per pod, newest first, at most `limit`; '' when there are none. */
export function podWarnings(events: readonly CoreV1Event[], limit = 5): string {
  const at = (e: CoreV1Event): number => new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0).getTime();
  return events
    .filter((e) => e.type === 'Warning' && e.involvedObject.kind === 'Pod')
    .sort((a, b) => at(b) - at(a))
    .slice(0, limit)
    .map((e) => `pod ${e.involvedObject.name}: ${e.reason ?? 'Warning'}: ${(e.message ?? '').trim()}${(e.count ?? 1) > 1 ? ` (×${e.count})` : ''}`)
    .join('; ');
}

/** The Warning events of the pods in `namespace` that `labelSelector` picks, as podWarnings' line; '' when none. */
export async function podWarningsOf(core: CoreV1Api, namespace: string, labelSelector: string, limit = 5): Promise<string> {
  const pods = (await core.listNamespacedPod({ namespace, labelSelector })).items.map((p) => p.metadata?.name);
  if (pods.length === 0) return '';
  const events = (await core.listNamespacedEvent({ namespace })).items.filter((e) => pods.includes(e.involvedObject.name));
  return podWarnings(events, limit);
}
