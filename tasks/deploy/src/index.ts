export { deployParams, deployTask, definition, ENVIRONMENTS, tasks } from './task.ts';
export type { Environment } from './task.ts';
export { DEFAULT_LIMITS, promote } from './promote.ts';
export type { PromoteLimits, PromoteOutcome, PromoteRequest, PromoteStatus } from './promote.ts';
