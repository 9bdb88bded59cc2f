// Argo CD's declarative repository credentials: a Secret labelled argocd.argoproj.io/secret-type=repository in Argo
// CD's namespace (the catalog repo, env repos, the chart registry). Values are base64-encoded, never printed.
import type { KubernetesObject } from '@kubernetes/client-node';
import { base64Values } from './install-env.ts';

export function repositorySecret(name: string, namespace: string, data: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> = {}): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/part-of': 'hat', 'argocd.argoproj.io/secret-type': 'repository', ...labels } },
    data: base64Values(data),
  } as KubernetesObject;
}

/** username (default `git`, trimmed) and password (its file's trailing newline dropped) read from a key file or folder. */
export const basicCredentials = (keys: Readonly<Record<string, string>>, defaultUser = 'git'): { username: string; password: string } => ({
  username: (keys['username'] ?? defaultUser).trim(),
  password: (keys['password'] ?? '').replace(/\r?\n$/, ''),
});
