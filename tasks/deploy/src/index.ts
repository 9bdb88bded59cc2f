export { deployParams, deployTask, definition, ENVIRONMENTS, tasks } from './task.ts';
export type { Environment } from './task.ts';
export { promote } from './promote.ts';
export type { PromoteOutcome, PromoteRequest, PromoteStatus } from './promote.ts';
export { waitForDeploy } from './wait.ts';
export type { DeployWait } from './wait.ts';
