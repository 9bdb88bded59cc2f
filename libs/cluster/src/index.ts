// The cluster's programs (Kubernetes, etcd, CoreDNS, Tekton Pipelines and Triggers, Argo CD) built from the Go
// module proxy at pinned versions into the per-user cache.
export { ensureComponent, entryName } from './build-component.ts';
export type { ComponentBuild, ComponentOptions } from './build-component.ts';
export { clusterCacheDir } from './cache-entry.ts';
export { COMPONENT_SPECS, COMPONENTS, isComponentName } from './components.ts';
export type { BinarySpec, ComponentName, ComponentSpec } from './components.ts';
export { ensureClusterBinaries } from './ensure.ts';
export type { ClusterBinaries, ClusterBinariesOptions } from './ensure.ts';
export { goEnv, goVersion } from './go-env.ts';
export * from './versions.ts';
export { assertNetworkSafe, DEFAULT_NETWORK, networkProblems, parseRouteGet, probesOf, routeOf, staysLocal } from './network.ts';
export type { ClusterNetwork, Route } from './network.ts';
