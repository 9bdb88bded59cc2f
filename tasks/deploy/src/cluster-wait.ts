// What wait-for-sync needs, imported by run.ts only when a run asks for it: @kubernetes/client-node is the largest
// part of the deploy program, and loading it on every start cost about 100 ms.
export { taskKubeConfig } from '@hat/argocd';
export { waitForDeploy } from './wait.ts';
