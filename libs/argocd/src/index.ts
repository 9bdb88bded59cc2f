// Argo CD as HAT reads it: Applications (their state, their own messages) and the wait until a deploy commit runs.
export { APP_LABEL, applicationMessage, applicationReady, APPLICATIONS, applicationState, ENV_LABEL, listApplications } from './application.ts';
export type { Application, ApplicationStatus } from './application.ts';
export { durationMs } from './duration.ts';
export { taskKubeConfig } from './kube-config.ts';
export { waitForSync } from './wait-for-sync.ts';
export type { SyncedApplication, SyncWaitRequest } from './wait-for-sync.ts';
