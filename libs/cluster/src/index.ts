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
export { clusterUp } from './cluster-up.ts';
export type { ClusterUp, ClusterUpOptions } from './cluster-up.ts';
export { clusterDown } from './cluster-down.ts';
export { CLUSTER_PROCESSES, clusterStatus } from './cluster-status.ts';
export type { ClusterStatus } from './cluster-status.ts';
export { clusterLayout, clusterStateDir } from './state.ts';
export type { ClusterLayout } from './state.ts';
export { ensurePki, kubeconfig } from './pki.ts';
export { PROVISIONER, provisionOnce, runProvisioner, STORAGE_CLASS, storageClassObject } from './provisioner.ts';
export { loadKubeconfig } from './apply.ts';
