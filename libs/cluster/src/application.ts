// Waiting for one Argo CD Application by name (hat install, the e2e); its state and message come from @hat/argocd.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { APPLICATIONS, applicationMessage, applicationReady, applicationState, type ApplicationStatus } from '@hat/argocd';
import { waitUntil } from './wait.ts';

/** Waits until an Argo CD Application is Synced and Healthy; fails with the Application's own message. */
export async function waitForApplication(config: KubeConfig, namespace: string, name: string, timeoutMs: number): Promise<ApplicationStatus> {
  const api = config.makeApiClient(CustomObjectsApi);
  let status: ApplicationStatus = {};
  await waitUntil(`Argo CD Application ${namespace}/${name}`, async () => {
    status = ((await api.getNamespacedCustomObject({ ...APPLICATIONS, namespace, name })) as { status?: ApplicationStatus }).status ?? {};
    return applicationReady(status);
  }, {
    timeoutMs,
    lastState: () => {
      const why = applicationMessage(status);
      return `is ${applicationState(status)}${why ? ` (${why})` : ''}`;
    },
  });
  return status;
}
