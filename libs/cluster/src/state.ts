// Where a running cluster keeps its state: ${HAT_CLUSTER_DIR:-${XDG_STATE_HOME:-~/.local/state}/hat/cluster}.
// `hat cluster down` removes it whole.
import os from 'node:os';
import path from 'node:path';

export function clusterStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['HAT_CLUSTER_DIR']) return path.resolve(env['HAT_CLUSTER_DIR']);
  return path.join(env['XDG_STATE_HOME'] ? path.resolve(env['XDG_STATE_HOME']) : path.join(os.homedir(), '.local', 'state'), 'hat', 'cluster');
}

export interface ClusterLayout {
  readonly dir: string;
  readonly pki: string;
  readonly etcd: string;
  readonly containerd: string;
  readonly containerdSocket: string;
  readonly cni: string;
  readonly kubelet: string;
  readonly logs: string;
  readonly pids: string;
  /** The admin kubeconfig (`hat cluster kubeconfig` prints its path). */
  readonly adminKubeconfig: string;
  readonly kubeconfigs: string;
  /** The provisioner's hostPath volumes. */
  readonly volumes: string;
}

export function clusterLayout(dir = clusterStateDir()): ClusterLayout {
  return {
    dir,
    pki: path.join(dir, 'pki'),
    etcd: path.join(dir, 'etcd'),
    containerd: path.join(dir, 'containerd'),
    containerdSocket: path.join(dir, 'containerd', 'containerd.sock'),
    cni: path.join(dir, 'cni'),
    kubelet: path.join(dir, 'kubelet'),
    logs: path.join(dir, 'logs'),
    pids: path.join(dir, 'pids'),
    adminKubeconfig: path.join(dir, 'admin.kubeconfig'),
    kubeconfigs: path.join(dir, 'kubeconfigs'),
    volumes: path.join(dir, 'volumes'),
  };
}
