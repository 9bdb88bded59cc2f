// The add-ons' own release manifests, from their module zips (Tekton's config/, Argo CD's core-install.yaml), made
// to run on this cluster: `ko://` references and upstream image names become the images built here, pull policy
// `Always` becomes `IfNotPresent` (there is no registry to pull from), the "devel" version stamps that upstream's
// release job replaces get the pinned version, and Argo CD's core install gets what it lacks (its namespace, the
// `default` AppProject, GPG off). Everything else is upstream's, byte for byte.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { ARGOCD_VERSION, TEKTON_PIPELINE_VERSION, TEKTON_TRIGGERS_VERSION } from './versions.ts';

export const ADDONS = ['tekton-pipelines', 'tekton-triggers', 'argocd'] as const;
export type AddonName = (typeof ADDONS)[number];

export const ADDON_VERSIONS: Readonly<Record<AddonName, string>> = {
  'tekton-pipelines': TEKTON_PIPELINE_VERSION,
  'tekton-triggers': TEKTON_TRIGGERS_VERSION,
  argocd: ARGOCD_VERSION,
};

export const ARGOCD_NAMESPACE = 'argocd';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Manifest = KubernetesObject & { [k: string]: Json | undefined };

/** Every YAML document of the files under `dir` (recursively, in path order), empty ones dropped. */
export async function readManifestDir(dir: string): Promise<Manifest[]> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => /\.ya?ml$/.test(f)).sort();
  const out: Manifest[] = [];
  for (const file of files) out.push(...parseManifests(await readFile(path.join(dir, file), 'utf8')));
  return out;
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null && typeof m === 'object' && typeof m.kind === 'string');
}

/** Rewrites every string value (and key-aware values) of a JSON tree. */
function mapStrings(node: Json, fn: (value: string, key: string | undefined) => string, key?: string): Json {
  if (typeof node === 'string') return fn(node, key);
  if (Array.isArray(node)) return node.map((v) => mapStrings(v, fn, key));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mapStrings(v, fn, k)]));
  return node;
}

const VERSION_KEYS = new Set(['version', 'app.kubernetes.io/version', 'pipeline.tekton.dev/release', 'triggers.tekton.dev/release']);

/** Tekton's config/: ko:// → our images, the shell image → our base, "devel" → the version. */
export function tektonManifests(objects: readonly Manifest[], project: 'pipeline' | 'triggers', refs: Readonly<Record<string, string>>, version: string): Manifest[] {
  const prefix = `ko://github.com/tektoncd/${project}/cmd/`;
  const component = project === 'pipeline' ? 'tekton-pipelines' : 'tekton-triggers';
  return objects.map((o) => {
    let shellNext = false;
    return mapStrings(o as Json, (value, key) => {
      if (shellNext) {
        shellNext = false;
        return refs['shell']!;
      }
      if (value === '-shell-image') shellNext = true;
      if (value.startsWith(prefix)) {
        const ref = refs[`${component}-${value.slice(prefix.length)}`];
        if (!ref) throw new Error(`no image built for ${value}`);
        return ref;
      }
      return value === 'devel' && key !== undefined && VERSION_KEYS.has(key) ? version : value;
    }) as Manifest;
  });
}

const CLUSTER_SCOPED = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'StorageClass']);

export const isClusterScoped = (o: KubernetesObject): boolean => CLUSTER_SCOPED.has(o.kind ?? '');

/** How often this cluster's Argo CD compares its Applications with git (argocd-cm); upstream: 120 s + up to 60 s. */
export const ARGOCD_POLLING = { 'timeout.reconciliation': '10s', 'timeout.reconciliation.jitter': '0s' } as const;

/** Argo CD's core install (no UI, no API server, no Dex): images, pull policy, namespace, AppProject default, no GPG, polling every 10 s. */
export function argocdManifests(objects: readonly Manifest[], refs: Readonly<Record<string, string>>): Manifest[] {
  const out: Manifest[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE } }];
  for (const o of objects) {
    const m = mapStrings(o as Json, (value, key) => {
      if (key === 'image' && /\/argoproj\/argocd:/.test(value)) return refs['argocd']!;
      if (key === 'image' && /\/redis:/.test(value)) return refs['redis']!;
      if (key === 'imagePullPolicy' && value === 'Always') return 'IfNotPresent';
      return value;
    }) as Manifest;
    if (!isClusterScoped(m)) m.metadata = { ...m.metadata, namespace: ARGOCD_NAMESPACE };
    if (m.kind === 'Deployment' && m.metadata?.name === 'argocd-repo-server') withEnv(m, 'argocd-repo-server', 'ARGOCD_GPG_ENABLED', 'false');
    // No API server, so no git webhooks reach it: it polls every 10 s, not every 2–3 min (one node, few apps).
    if (m.kind === 'ConfigMap' && m.metadata?.name === 'argocd-cm') m['data'] = { ...(m['data'] as object | undefined), ...ARGOCD_POLLING };
    out.push(m);
  }
  out.push({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'default', namespace: ARGOCD_NAMESPACE },
    spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
  });
  return out;
}

function withEnv(deployment: Manifest, container: string, name: string, value: string): void {
  const spec = (deployment['spec'] as { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } }).template.spec;
  const c = spec.containers.find((x) => x.name === container);
  if (!c) throw new Error(`${deployment.metadata?.name} has no container ${container}`);
  c.env = [...(c.env ?? []).filter((e) => e.name !== name), { name, value }];
}

/** The objects of each add-on, ready to apply, from the component folders of the binaries cache. */
export async function addonManifests(name: AddonName, componentDir: string, refs: Readonly<Record<string, string>>): Promise<Manifest[]> {
  if (name === 'argocd') return argocdManifests(parseManifests(await readFile(path.join(componentDir, 'manifests', 'core-install.yaml'), 'utf8')), refs);
  const project = name === 'tekton-pipelines' ? 'pipeline' : 'triggers';
  return tektonManifests(await readManifestDir(path.join(componentDir, 'config')), project, refs, ADDON_VERSIONS[name]);
}

/**
 * Tekton's CustomRun CRD alone, from its config/ (`ensureComponent('tekton-pipelines').assets.config`): what a custom
 * task's controller needs of Tekton on a cluster without it (bench/promote's bare cluster).
 */
export async function customRunCrd(tektonConfigDir: string): Promise<Manifest[]> {
  const crd = parseManifests(await readFile(path.join(tektonConfigDir, '300-crds', '300-customrun.yaml'), 'utf8'));
  return tektonManifests(crd, 'pipeline', {}, TEKTON_PIPELINE_VERSION);
}
