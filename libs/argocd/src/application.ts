// An Argo CD Application as HAT reads it: where it is (its API coordinates, the labels the env repo's ApplicationSet
// gives it), whether it is Synced and Healthy, and otherwise why not, in its own words.
import type { CustomObjectsApi } from '@kubernetes/client-node';

export interface ApplicationStatus {
  sync?: { status?: string; revision?: string };
  health?: { status?: string; message?: string };
  summary?: { images?: string[] };
  operationState?: { phase?: string; message?: string };
  conditions?: { type?: string; message?: string }[];
}

export interface Application {
  metadata: { name: string; labels?: Record<string, string> };
  status?: ApplicationStatus;
}

/** The labels the env repo's ApplicationSet (hat env init) puts on each app's Application. */
export const ENV_LABEL = 'hat.dev/env';
export const APP_LABEL = 'hat.dev/app';

export const APPLICATIONS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' } as const;

export const applicationReady = (s: ApplicationStatus): boolean => s.sync?.status === 'Synced' && s.health?.status === 'Healthy';

/** Its sync and health status, e.g. `Synced/Healthy` (`Unknown` for what it does not say yet). */
export const applicationState = (s: ApplicationStatus): string => `${s.sync?.status ?? 'Unknown'}/${s.health?.status ?? 'Unknown'}`;

/** Why the Application is where it is, in its own words (empty when it says nothing). */
export const applicationMessage = (s: ApplicationStatus): string =>
  [s.operationState?.message, ...(s.conditions ?? []).map((c) => `${c.type}: ${c.message}`), s.health?.message].filter(Boolean).join('; ');

/** The Applications in `namespace` that a label selector picks. */
export const listApplications = async (api: CustomObjectsApi, namespace: string, labelSelector: string): Promise<Application[]> =>
  ((await api.listNamespacedCustomObject({ ...APPLICATIONS, namespace, labelSelector })) as { items: Application[] }).items;
