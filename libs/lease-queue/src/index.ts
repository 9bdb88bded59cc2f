export { ForbiddenError, submit } from './queue.ts';
export type { Outcome, SubmitOptions } from './queue.ts';
export { SERVICE_ACCOUNT_DIR, serviceAccountApi } from './service-account.ts';
export type { ApiResponse, ServiceAccountApi, WatchEvent } from './service-account.ts';
