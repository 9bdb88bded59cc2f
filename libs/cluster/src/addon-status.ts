// What a cluster has of Tekton Pipelines, Triggers and Argo CD: the version each reports (Tekton's *-info
// ConfigMaps; Argo CD's image tag, as upstream tags it) and whether its workloads are ready. Read-only, on any
// cluster: `hat cluster status` shows it, `hat install` checks it before installing anything.
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Deployment, type V1StatefulSet } from '@kubernetes/client-node';
import { ADDONS, ARGOCD_NAMESPACE, type AddonName } from './addon-manifests.ts';

export interface WorkloadStatus {
  readonly name: string;
  readonly ready: number;
  readonly want: number;
}

export interface AddonStatus {
  readonly name: AddonName;
  /** null: not installed. */
  readonly version: string | null;
  readonly ready: boolean;
  readonly workloads: readonly WorkloadStatus[];
}

/** Where each add-on lives and how it is recognised. */
const WHERE: Readonly<Record<AddonName, { namespaces: readonly string[]; partOf?: string }>> = {
  'tekton-pipelines': { namespaces: ['tekton-pipelines', 'tekton-pipelines-resolvers'], partOf: 'tekton-pipelines' },
  'tekton-triggers': { namespaces: ['tekton-pipelines'], partOf: 'tekton-triggers' },
  argocd: { namespaces: [ARGOCD_NAMESPACE], partOf: 'argocd' },
};

const notFound = (err: unknown): boolean => (err as { code?: number }).code === 404;

async function infoVersion(core: CoreV1Api, name: string): Promise<string | null> {
  try {
    return (await core.readNamespacedConfigMap({ name, namespace: 'tekton-pipelines' })).data?.['version'] ?? null;
  } catch (err) {
    if (notFound(err)) return null;
    throw err;
  }
}

/** Argo CD's version: the tag of its application controller's image (upstream: quay.io/argoproj/argocd:v3.2.11). */
export const argocdVersionOf = (image: string | undefined): string | null => image?.match(/:(v\d+\.\d+\.\d+)(?:[-+@].*)?$/)?.[1] ?? null;

const workloadOf = (w: V1Deployment | V1StatefulSet, kind: 'Deployment' | 'StatefulSet'): WorkloadStatus => ({
  name: `${kind.toLowerCase()}/${w.metadata?.name}`,
  want: w.spec?.replicas ?? 1,
  ready: (kind === 'Deployment' ? (w as V1Deployment).status?.availableReplicas : w.status?.readyReplicas) ?? 0,
});

export async function addonStatus(config: KubeConfig): Promise<AddonStatus[]> {
  const core = config.makeApiClient(CoreV1Api);
  const apps = config.makeApiClient(AppsV1Api);
  const out: AddonStatus[] = [];
  for (const name of ADDONS) {
    const where = WHERE[name];
    const labelSelector = where.partOf ? `app.kubernetes.io/part-of=${where.partOf}` : undefined;
    const workloads: WorkloadStatus[] = [];
    let controllerImage: string | undefined;
    for (const namespace of where.namespaces) {
      const deployments = await apps.listNamespacedDeployment({ namespace, ...(labelSelector ? { labelSelector } : {}) });
      const sets = await apps.listNamespacedStatefulSet({ namespace, ...(labelSelector ? { labelSelector } : {}) });
      workloads.push(...deployments.items.map((d) => workloadOf(d, 'Deployment')), ...sets.items.map((s) => workloadOf(s, 'StatefulSet')));
      controllerImage ??= sets.items.find((s) => s.metadata?.name === 'argocd-application-controller')?.spec?.template.spec?.containers[0]?.image;
    }
    const version =
      name === 'tekton-pipelines' ? await infoVersion(core, 'pipelines-info') : name === 'tekton-triggers' ? await infoVersion(core, 'triggers-info') : argocdVersionOf(controllerImage);
    out.push({ name, version, ready: version !== null && workloads.length > 0 && workloads.every((w) => w.ready >= w.want), workloads });
  }
  return out;
}
