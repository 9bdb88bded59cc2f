// `hat cluster status`: which of the cluster's processes run, and whether the node is Ready.
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeconfig } from './apply.ts';
import { nodeReady } from './wait.ts';
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
}

export async function clusterStatus(layout: ClusterLayout = clusterLayout()): Promise<ClusterStatus> {
  const processes: Record<string, number | null> = {};
  for (const name of CLUSTER_PROCESSES) processes[name] = (await daemonPid(layout, name)) ?? null;
  let node: ClusterStatus['node'] = null;
  if (processes['kube-apiserver'] && existsSync(layout.adminKubeconfig)) {
    const found = await loadKubeconfig(layout.adminKubeconfig).makeApiClient(CoreV1Api).readNode({ name: NODE_NAME }).catch(() => undefined);
    if (found) node = { name: NODE_NAME, ready: nodeReady(found), version: found.status?.nodeInfo?.kubeletVersion ?? null };
  }
  return { running: Object.values(processes).every((p) => p !== null), processes, node, kubeconfig: existsSync(layout.adminKubeconfig) ? layout.adminKubeconfig : null };
}
