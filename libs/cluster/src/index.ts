// A one-node cluster on this machine: its programs (Kubernetes, etcd, CoreDNS, Tekton Pipelines and Triggers,
// Argo CD) built from the Go module proxy at pinned versions into the per-user cache, the add-ons' images and
// manifests, `hat cluster up | down | status`, and server-side apply helpers.
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
export { applyObjects, applyOne, loadKubeconfig, typedObject, waitForWorkload } from './apply.ts';
export { ADDON_VERSIONS, ADDONS, addonManifests, ARGOCD_NAMESPACE, argocdManifests, parseManifests, tektonManifests } from './addon-manifests.ts';
export type { AddonName, Manifest } from './addon-manifests.ts';
export { addonStatus, argocdVersionOf } from './addon-status.ts';
export type { AddonStatus, WorkloadStatus } from './addon-status.ts';
export { addonImageSpecs, ensureAddonImages, importAddonImages } from './addon-images.ts';
export type { AddonImages, AddonImageSpec } from './addon-images.ts';
export { apiMessage, applyUntilAccepted, installAddon } from './addons.ts';
export { addonProblems, install, installObjects, SUPPORTED_MINIMUM, versionAtLeast, waitForApplication } from './install.ts';
export type { InstallOptions, InstallResult } from './install.ts';
export { ENV_CONFIG_KEYS, ENV_SECRET_KEYS, envFilesOf, envObjects, readKeyValues } from './install-env.ts';
export type { EnvFiles, EnvName } from './install-env.ts';
export { kubeContext } from './kube-context.ts';
export type { KubeContextOptions } from './kube-context.ts';
