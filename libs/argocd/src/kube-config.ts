// The cluster a task asks: its pod's service account when it runs in a pod, else $KUBECONFIG (hat task run).
// HAT_SERVICE_ACCOUNT_DIR holds the service account's files where a harness outside a pod put them.
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { HatError } from '@hat/task-runtime';
import { readFileSync } from 'node:fs';

export function taskKubeConfig(what: string): KubeConfig {
  const config = new KubeConfig();
  const host = process.env['KUBERNETES_SERVICE_HOST'];
  const dir = process.env['HAT_SERVICE_ACCOUNT_DIR'];
  if (host && dir) {
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${process.env['KUBERNETES_SERVICE_PORT'] || 443}`;
    const namespace = readFileSync(path.join(dir, 'namespace'), 'utf8').trim();
    config.loadFromOptions({
      clusters: [{ name: 'in-pod', server, caFile: path.join(dir, 'ca.crt'), skipTLSVerify: false }],
      users: [{ name: 'in-pod', authProvider: { name: 'tokenFile', config: { tokenFile: path.join(dir, 'token') } } }],
      contexts: [{ name: 'in-pod', cluster: 'in-pod', user: 'in-pod', namespace }],
      currentContext: 'in-pod',
    });
  } else if (host) config.loadFromCluster();
  else if (process.env['KUBECONFIG']) config.loadFromDefault();
  else throw new HatError(`${what} needs a Kubernetes cluster: run it in a pod (its service account) or set KUBECONFIG`);
  return config;
}
