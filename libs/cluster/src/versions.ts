// The pinned versions of every cluster component built from the Go module proxy (one place to bump them).
// Each is an exact tag: the proxy refuses version lists for some modules (tektoncd), never an exact version.

/** Kubernetes itself (k8s.io/kubernetes) and the published v0.x tag of its staging modules (k8s.io/api, …). */
export const KUBERNETES_VERSION = 'v1.35.4';
export const KUBERNETES_STAGING_VERSION = 'v0.35.4';

/** etcd server and etcdctl (go.etcd.io/etcd/server/v3, go.etcd.io/etcd/etcdctl/v3). */
export const ETCD_VERSION = 'v3.6.5';

/** CoreDNS (github.com/coredns/coredns). */
export const COREDNS_VERSION = 'v1.15.0';

/** Tekton Pipelines (github.com/tektoncd/pipeline). */
export const TEKTON_PIPELINE_VERSION = 'v1.9.2';

/** Tekton Triggers (github.com/tektoncd/triggers). */
export const TEKTON_TRIGGERS_VERSION = 'v0.35.0';

/** Argo CD (github.com/argoproj/argo-cd/v3): v3.3+ does not build from the proxy, v3.2.12's tag is broken. */
export const ARGOCD_VERSION = 'v3.2.11';

/**
 * Bumped whenever a build recipe changes (flags, wrapper, copied assets) without a version change, so cached
 * entries of the old recipe are not reused.
 */
export const RECIPE_REVISION = 1;
