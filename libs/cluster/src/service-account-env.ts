// A pod's service account for a program run on this host (a Task's step under `hat task run`, a test, a benchmark):
// a token from the TokenRequest API, the cluster's CA and the namespace, written as Kubernetes mounts them, and the
// environment that points the program at them and at the API server (@hat/lease-queue reads it as in a pod).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

export async function serviceAccountEnv(admin: KubeConfig, namespace: string, serviceAccount: string, dir: string, expirationSeconds = 3600): Promise<Record<string, string>> {
  const core = admin.makeApiClient(CoreV1Api);
  const token = (await core.createNamespacedServiceAccountToken({ name: serviceAccount, namespace, body: { spec: { audiences: [], expirationSeconds } } })).status!.token;
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  await writeFile(path.join(dir, 'token'), token, { mode: 0o600 });
  await writeFile(path.join(dir, 'ca.crt'), cluster.caData ? Buffer.from(cluster.caData, 'base64') : await readFile(cluster.caFile!));
  await writeFile(path.join(dir, 'namespace'), namespace);
  const api = new URL(cluster.server);
  return { KUBERNETES_SERVICE_HOST: api.hostname.replace(/^\[|\]$/g, ''), KUBERNETES_SERVICE_PORT: api.port || '443', HAT_SERVICE_ACCOUNT_DIR: dir };
}
