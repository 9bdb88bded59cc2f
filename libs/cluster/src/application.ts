// An Argo CD Application's state as HAT reads it: Synced and Healthy, or the Application's own message saying why
// not (its last operation, its conditions, its health message). `hat install` and `hat status --cluster` use it.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { waitUntil } from './wait.ts';

export interface ApplicationStatus {
  sync?: { status?: string; revision?: string };
  health?: { status?: string; message?: string };
  summary?: { images?: string[] };
  operationState?: { phase?: string; message?: string };
  conditions?: { type?: string; message?: string }[];
}

export const applicationReady = (s: ApplicationStatus): boolean => s.sync?.status === 'Synced' && s.health?.status === 'Healthy';

/** Why the Application is where it is, in its own words (empty when it says nothing). */
export const applicationMessage = (s: ApplicationStatus): string =>
  [s.operationState?.message, ...(s.conditions ?? []).map((c) => `${c.type}: ${c.message}`), s.health?.message].filter(Boolean).join('; ');

/** Waits until an Argo CD Application is Synced and Healthy; fails with the Application's own message. */
export async function waitForApplication(config: KubeConfig, namespace: string, name: string, timeoutMs: number): Promise<ApplicationStatus> {
  const api = config.makeApiClient(CustomObjectsApi);
  let status: ApplicationStatus = {};
  await waitUntil(`Argo CD Application ${namespace}/${name}`, async () => {
    status = ((await api.getNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'applications', name })) as { status?: ApplicationStatus }).status ?? {};
    return applicationReady(status);
  }, {
    timeoutMs,
    lastState: () => {
      const why = applicationMessage(status);
      return `is ${status.sync?.status ?? 'Unknown'}/${status.health?.status ?? 'Unknown'}${why ? ` (${why})` : ''}`;
    },
  });
  return status;
}
