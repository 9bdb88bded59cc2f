// `hat cluster status`: which of the cluster's processes run, whether the node is Ready, and the add-ons' versions
// and readiness.
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeconfig } from './apply.ts';
import { nodeReady } from './wait.ts';
import { addonStatus, type AddonStatus } from './addon-status.ts';
import { existsSync } from 'node:fs';
import { daemonPid } from './daemons.ts';
import { NODE_NAME } from './pki.ts';
import { clusterLayout, type ClusterLayout } from './state.ts';

export const CLUSTER_PROCESSES = ['containerd', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'provisioner'] as const;

export interface ClusterStatus {
  readonly running: boolean;
  readonly processes: Record<string, number | null>;
  readonly node: { readonly name: string; readonly ready: boolean; readonly version: string | null } | null;
  readonly kubeconfig: string | null;
  /** Tekton Pipelines, Triggers and Argo CD (null when the API does not answer). */
  readonly addons: readonly AddonStatus[] | null;
  /** Every process runs, the node is Ready, and every add-on is installed and ready. */
  readonly ready: boolean;
}

export async function clusterStatus(layout: ClusterLayout = clusterLayout()): Promise<ClusterStatus> {
  const processes: Record<string, number | null> = {};
  for (const name of CLUSTER_PROCESSES) processes[name] = (await daemonPid(layout, name)) ?? null;
  let node: ClusterStatus['node'] = null;
  let addons: AddonStatus[] | null = null;
  if (processes['kube-apiserver'] && existsSync(layout.adminKubeconfig)) {
    const config = loadKubeconfig(layout.adminKubeconfig);
    const found = await config.makeApiClient(CoreV1Api).readNode({ name: NODE_NAME }).catch(() => undefined);
    if (found) node = { name: NODE_NAME, ready: nodeReady(found), version: found.status?.nodeInfo?.kubeletVersion ?? null };
    addons = await addonStatus(config).catch(() => null);
  }
  const running = Object.values(processes).every((p) => p !== null);
  return {
    running,
    processes,
    node,
    kubeconfig: existsSync(layout.adminKubeconfig) ? layout.adminKubeconfig : null,
    addons,
    ready: running && (node?.ready ?? false) && (addons?.every((a) => a.ready) ?? false),
  };
}
