// The cluster a task asks: its pod's service account when it runs in a pod, else $KUBECONFIG (hat task run).
import { KubeConfig } from '@kubernetes/client-node';
import { HatError } from '@hat/task-runtime';

export function taskKubeConfig(what: string): KubeConfig {
  const config = new KubeConfig();
  if (process.env['KUBERNETES_SERVICE_HOST']) config.loadFromCluster();
  else if (process.env['KUBECONFIG']) config.loadFromDefault();
  else throw new HatError(`${what} needs a Kubernetes cluster: run it in a pod (its service account) or set KUBECONFIG`);
  return config;
}
