// What each cluster component is made of: the upstream module, the wrapper module around it, the commands built
// from it, the link-time version stamps, the upstream folders kept beside the binaries, and how each binary
// reports its version (checked before a build is cached).
import type { DownloadedModule, Replace } from './go-module.ts';
import { goDirective, isLocalReplace, replaceDirectives } from './go-module.ts';
import type { WrapperModule } from './wrapper-module.ts';
import {
  ARGOCD_VERSION,
  COREDNS_VERSION,
  ETCD_VERSION,
  KUBERNETES_STAGING_VERSION,
  KUBERNETES_VERSION,
  TEKTON_PIPELINE_VERSION,
  TEKTON_TRIGGERS_VERSION,
} from './versions.ts';

export const COMPONENTS = ['kubernetes', 'etcd', 'coredns', 'tekton-pipelines', 'tekton-triggers', 'argocd'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export const isComponentName = (name: string): name is ComponentName => (COMPONENTS as readonly string[]).includes(name);

export interface BinarySpec {
  /** File name in the cache entry. */
  readonly name: string;
  /** Package to build: an import path, or '.' for the wrapper's own main. */
  readonly pkg: string;
  /** The upstream module whose version `go version -m` must show for this binary. */
  readonly module: string;
  /** Arguments that print the version (and exit), and the text the output must contain. */
  readonly versionCheck?: { readonly args: readonly string[]; readonly expect: string };
}

export interface ComponentSpec {
  readonly name: ComponentName;
  readonly version: string;
  /** The upstream module downloaded first: its go.mod drives the wrapper, its zip holds the assets. */
  readonly module: string;
  readonly wrapper: (upstream: DownloadedModule) => WrapperModule;
  readonly binaries: readonly BinarySpec[];
  /** -X importpath.name=value stamps (besides -s -w). */
  readonly stamps: (upstream: DownloadedModule) => Readonly<Record<string, string>>;
  /** Folders of the upstream module copied next to the binaries (release manifests). */
  readonly assets?: readonly string[];
  /** Extra names for a multi-call binary: symlink name → binary name. */
  readonly links?: Readonly<Record<string, string>>;
}

const wrapperPath = (name: string): string => `hat.local/cluster-build/${name}`;

/** Upstream's own version-pin replaces, copied; its replaces into its own tree are dropped (or mapped by `local`). */
function copiedReplaces(upstream: DownloadedModule, local?: (r: Replace) => Replace | undefined): Replace[] {
  return replaceDirectives(upstream.goMod).flatMap((r) => {
    if (!isLocalReplace(r)) return [r];
    const mapped = local?.(r);
    return mapped ? [mapped] : [];
  });
}

function plainWrapper(name: string, upstream: DownloadedModule, tools: readonly string[], local?: (r: Replace) => Replace | undefined): WrapperModule {
  return {
    module: wrapperPath(name),
    goVersion: goDirective(upstream.goMod) ?? '1.24',
    require: [{ path: upstream.path, version: upstream.version }],
    replace: copiedReplaces(upstream, local),
    tools,
  };
}

const versionFlag = (expect: string, args: readonly string[] = ['--version']) => ({ args, expect });

// ---- Kubernetes: k8s.io/kubernetes replaces its 31 staging modules with ./staging/src/k8s.io/<name>; the wrapper
// replaces each with its published v0.x tag instead.
const K8S = 'k8s.io/kubernetes';
const k8sCommands = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'kubectl'];
const [k8sMajor, k8sMinor] = KUBERNETES_VERSION.replace(/^v/, '').split('.');

const kubernetes: ComponentSpec = {
  name: 'kubernetes',
  version: KUBERNETES_VERSION,
  module: K8S,
  wrapper: (upstream) =>
    plainWrapper('kubernetes', upstream, k8sCommands.map((c) => `${K8S}/cmd/${c}`), (r) =>
      /^k8s\.io\/[a-z0-9-]+$/.test(r.from) && r.to.startsWith('./staging/') ? { from: r.from, to: r.from, version: KUBERNETES_STAGING_VERSION } : undefined,
    ),
  binaries: k8sCommands.map((c) => ({
    name: c,
    pkg: `${K8S}/cmd/${c}`,
    module: K8S,
    versionCheck: c === 'kubectl' ? versionFlag(`Client Version: ${KUBERNETES_VERSION}`, ['version', '--client']) : versionFlag(`Kubernetes ${KUBERNETES_VERSION}`),
  })),
  // Without these every binary says v0.0.0-master, and version skew checks (kubectl, kubelet registration) break.
  stamps: () => {
    const stamps: Record<string, string> = {};
    for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
      stamps[`${pkg}.gitVersion`] = KUBERNETES_VERSION;
      stamps[`${pkg}.gitMajor`] = k8sMajor!;
      stamps[`${pkg}.gitMinor`] = k8sMinor!;
      stamps[`${pkg}.gitTreeState`] = 'clean';
      stamps[`${pkg}.buildDate`] = '1970-01-01T00:00:00Z';
    }
    return stamps;
  },
};

// ---- etcd: the root module go.etcd.io/etcd is refused by the proxy; server/v3's etcdmain.Main is the whole main.
const ETCD_SERVER = 'go.etcd.io/etcd/server/v3';
const ETCDCTL = 'go.etcd.io/etcd/etcdctl/v3';
const etcdVersion = ETCD_VERSION.replace(/^v/, '');

const etcd: ComponentSpec = {
  name: 'etcd',
  version: ETCD_VERSION,
  module: ETCD_SERVER,
  wrapper: (upstream) => ({
    ...plainWrapper('etcd', upstream, [ETCDCTL]),
    require: [
      { path: ETCD_SERVER, version: ETCD_VERSION },
      { path: ETCDCTL, version: ETCD_VERSION },
    ],
    mainGo: `// Generated by @hat/cluster: etcd's own main, as a dependency of this module.\npackage main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() {\n\tetcdmain.Main(os.Args)\n}\n`,
  }),
  binaries: [
    { name: 'etcd', pkg: '.', module: ETCD_SERVER, versionCheck: versionFlag(`etcd Version: ${etcdVersion}`) },
    { name: 'etcdctl', pkg: ETCDCTL, module: ETCDCTL, versionCheck: versionFlag(`etcdctl version: ${etcdVersion}`, ['version']) },
  ],
  stamps: () => ({}),
};

// ---- CoreDNS: no replaces; its version is a constant (coremain.CoreVersion).
const coredns: ComponentSpec = {
  name: 'coredns',
  version: COREDNS_VERSION,
  module: 'github.com/coredns/coredns',
  wrapper: (upstream) => plainWrapper('coredns', upstream, ['github.com/coredns/coredns']),
  binaries: [{ name: 'coredns', pkg: 'github.com/coredns/coredns', module: 'github.com/coredns/coredns', versionCheck: versionFlag(`CoreDNS-${COREDNS_VERSION.replace(/^v/, '')}`, ['-version']) }],
  stamps: () => ({}),
};

// ---- Tekton Pipelines: three version-pin replaces in upstream's go.mod (copied). No version flag in the commands:
// `go version -m` is the check. config/ holds the release manifests (ko:// image references to substitute).
const PIPELINE = 'github.com/tektoncd/pipeline';
const pipelineCommands = ['controller', 'webhook', 'entrypoint', 'nop', 'workingdirinit', 'sidecarlogresults', 'resolvers', 'events'];

const tektonPipelines: ComponentSpec = {
  name: 'tekton-pipelines',
  version: TEKTON_PIPELINE_VERSION,
  module: PIPELINE,
  wrapper: (upstream) => plainWrapper('tekton-pipelines', upstream, pipelineCommands.map((c) => `${PIPELINE}/cmd/${c}`)),
  binaries: pipelineCommands.map((c) => ({ name: c, pkg: `${PIPELINE}/cmd/${c}`, module: PIPELINE })),
  stamps: () => ({}),
  assets: ['config'],
};

// ---- Tekton Triggers: no replaces.
const TRIGGERS = 'github.com/tektoncd/triggers';
const triggersCommands = ['controller', 'webhook', 'eventlistenersink', 'interceptors'];

const tektonTriggers: ComponentSpec = {
  name: 'tekton-triggers',
  version: TEKTON_TRIGGERS_VERSION,
  module: TRIGGERS,
  wrapper: (upstream) => plainWrapper('tekton-triggers', upstream, triggersCommands.map((c) => `${TRIGGERS}/cmd/${c}`)),
  binaries: triggersCommands.map((c) => ({ name: c, pkg: `${TRIGGERS}/cmd/${c}`, module: TRIGGERS })),
  stamps: () => ({}),
  assets: ['config'],
};

// ---- Argo CD: one multi-call binary (./cmd) that picks its role by argv[0] or ARGOCD_BINARY_NAME; upstream's
// replace block is all version pins (k8s.io/* v0.34.0, …) and is copied whole.
const ARGOCD = 'github.com/argoproj/argo-cd/v3';
const argocdRoles = [
  'argocd-application-controller',
  'argocd-applicationset-controller',
  'argocd-cmp-server',
  'argocd-commit-server',
  'argocd-dex',
  'argocd-git-ask-pass',
  'argocd-k8s-auth',
  'argocd-notification',
  'argocd-repo-server',
  'argocd-server',
];

const argocd: ComponentSpec = {
  name: 'argocd',
  version: ARGOCD_VERSION,
  module: ARGOCD,
  wrapper: (upstream) => plainWrapper('argocd', upstream, [`${ARGOCD}/cmd`]),
  binaries: [{ name: 'argocd', pkg: `${ARGOCD}/cmd`, module: ARGOCD, versionCheck: versionFlag(`argocd: ${ARGOCD_VERSION}`, ['version', '--client', '--short']) }],
  // As upstream's Makefile stamps them; the proxy's zip has no commit, so the version reads v3.2.11+unknown.
  stamps: (upstream) => {
    const kubectl = replaceDirectives(upstream.goMod).find((r) => r.from === 'k8s.io/kubectl')?.version;
    return {
      'github.com/argoproj/argo-cd/v3/common.version': ARGOCD_VERSION.replace(/^v/, ''),
      'github.com/argoproj/argo-cd/v3/common.buildDate': '1970-01-01T00:00:00Z',
      'github.com/argoproj/argo-cd/v3/common.gitTreeState': 'clean',
      ...(kubectl ? { 'github.com/argoproj/argo-cd/v3/common.kubectlVersion': kubectl } : {}),
    };
  },
  assets: ['manifests'],
  links: Object.fromEntries(argocdRoles.map((role) => [role, 'argocd'])),
};

export const COMPONENT_SPECS: Readonly<Record<ComponentName, ComponentSpec>> = {
  kubernetes,
  etcd,
  coredns,
  'tekton-pipelines': tektonPipelines,
  'tekton-triggers': tektonTriggers,
  argocd,
};
