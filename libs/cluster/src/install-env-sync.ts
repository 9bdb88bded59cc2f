// What makes the cluster's Argo CD follow an env repo (`hat install --env-sync ENV=PATH`): a repository Secret with
// read credentials for that repo, and an Application `hat-env-<env>` that syncs the repo's argocd/ folder (the
// ApplicationSet `hat env init` wrote: one Application per apps/<app>/). And the Helm OCI repository Secret with
// which Argo CD's repo-server pulls the app charts the env repo's umbrella charts depend on
// (`--chart-registry-credentials PATH`). Values are never printed; keys are checked.
import type { KubernetesObject } from '@kubernetes/client-node';
import { InputError } from '@hat/task-runtime';
import { basicCredentials, repositorySecret } from './argocd-repo-secret.ts';
import { checkEnvNames, ENVIRONMENTS, isPrivateKey, isRepoUrl, readKeyValues, type EnvName } from './install-env.ts';

export const ENV_SYNC_KEYS = ['url', 'branch', 'username', 'password', 'ssh-privatekey'] as const;
export const CHART_REGISTRY_KEYS = ['url', 'username', 'password'] as const;

export interface EnvSync {
  readonly env: EnvName;
  /** KEY=VALUE file or folder of key files (ENV_SYNC_KEYS). */
  readonly file: string;
}

/** `--env-sync ENV=PATH` flags (a record env → path) as EnvSync entries, in environment order. */
export function envSyncsOf(record: Readonly<Record<string, string>>): EnvSync[] {
  checkEnvNames('--env-sync', record);
  return ENVIRONMENTS.filter((env) => record[env] !== undefined).map((env) => ({ env, file: record[env]! }));
}

/** The repository Secret `hat-env-<env>-repo` and the Application `hat-env-<env>` in Argo CD's namespace. */
export async function envSyncObjects(s: EnvSync, argocdNamespace: string): Promise<KubernetesObject[]> {
  const what = `--env-sync ${s.env}`;
  const data = await readKeyValues(s.file, what, ENV_SYNC_KEYS);
  const url = (data['url'] ?? '').trim();
  if (!isRepoUrl(url)) throw new InputError(`${what}: url must be the env repo's https://, http:// or ssh:// URL as Argo CD reaches it (got ${JSON.stringify(url)})`);
  const branch = (data['branch'] ?? 'main').trim();
  const repo: Record<string, string> = { type: 'git', url };
  if (data['password'] !== undefined && data['ssh-privatekey'] !== undefined) throw new InputError(`${what}: give either password (with username) or ssh-privatekey, not both`);
  if (data['password'] !== undefined) Object.assign(repo, basicCredentials(data));
  if (data['ssh-privatekey'] !== undefined) {
    if (!isPrivateKey(data['ssh-privatekey'])) throw new InputError(`${what}: ssh-privatekey is not a PEM/OpenSSH private key`);
    repo['sshPrivateKey'] = data['ssh-privatekey'];
  }
  const application = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `hat-env-${s.env}`, namespace: argocdNamespace, labels: { 'app.kubernetes.io/part-of': 'hat', 'hat.dev/env': s.env } },
    spec: {
      project: 'default',
      // argocd/ holds the env's ApplicationSet (hat env init): one Application per apps/<app>/ folder.
      source: { repoURL: url, targetRevision: branch, path: 'argocd' },
      destination: { server: 'https://kubernetes.default.svc', namespace: argocdNamespace },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  } as KubernetesObject;
  return [repositorySecret(`hat-env-${s.env}-repo`, argocdNamespace, repo, { 'hat.dev/env': s.env }), application];
}

/**
 * Argo CD's Helm OCI repository Secret for the app charts: `url` is the chart repository as the umbrella charts name
 * it (oci://host[:port]/path). Argo CD matches it to a dependency without the oci:// prefix and logs in with it before
 * `helm dependency build` (a plain-HTTP registry works through helm's own fallback, helm 3.18 and newer).
 */
export async function chartRegistryObjects(file: string, argocdNamespace: string): Promise<KubernetesObject[]> {
  const what = '--chart-registry-credentials';
  const data = await readKeyValues(file, what, CHART_REGISTRY_KEYS);
  const url = (data['url'] ?? '').trim();
  if (!/^oci:\/\/[^\s/]+\/\S+$/.test(url)) throw new InputError(`${what}: url must be the chart repository as oci://<registry>/<path> (got ${JSON.stringify(url)})`);
  if (!data['username']?.trim() || !data['password']) throw new InputError(`${what}: ${file} needs username and password (Argo CD logs in only with both)`);
  return [repositorySecret('hat-chart-registry', argocdNamespace, { type: 'helm', name: 'hat-chart-registry', url: url.slice('oci://'.length), enableOCI: 'true', ...basicCredentials(data) })];
}
