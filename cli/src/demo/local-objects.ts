// The Kubernetes objects a PipelineRun would get (Secrets, ConfigMaps, credential workspaces), as local directories.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Credential {
  readonly username: string;
  readonly password: string;
}

async function writeKeys(dir: string, keys: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [k, v] of Object.entries(keys)) await writeFile(path.join(dir, k), v, { mode: 0o600 });
  return dir;
}

/** An env whose runs this env takes (require-upstream): its repo and a read credential for it. */
export interface Upstream {
  readonly env: string;
  readonly url: string;
  readonly cred: Credential;
}

/** ConfigMap and Secret `hat-gitops-<env>`: the only way a deploy task learns its repo and credentials. */
export async function gitopsObjects(root: string, env: string, url: string, cred: Credential, registry: Credential, upstream?: Upstream): Promise<Record<string, string>> {
  const requires = upstream ? { 'require-upstream': upstream.env, 'upstream-url': upstream.url } : {};
  const reads = upstream ? { 'upstream-username': upstream.cred.username, 'upstream-password': upstream.cred.password } : {};
  return {
    [`configmap/hat-gitops-${env}`]: await writeKeys(path.join(root, `cm-hat-gitops-${env}`), { url, branch: 'main', 'author-name': `HAT deploy-${env}`, 'author-email': `deploy-${env}@hat.local`, ...requires }),
    [`secret/hat-gitops-${env}`]: await writeKeys(path.join(root, `secret-hat-gitops-${env}`), { username: cred.username, password: cred.password, 'registry-username': registry.username, 'registry-password': registry.password, ...reads }),
  };
}

/** Secret `hat-chart-registry` for helm-package-push. */
export async function chartRegistryObject(root: string, cred: Credential): Promise<Record<string, string>> {
  return { 'secret/hat-chart-registry': await writeKeys(path.join(root, 'secret-hat-chart-registry'), { username: cred.username, password: cred.password }) };
}

/** A basic-auth workspace as tektoncd/catalog's git-clone takes it: .git-credentials and .gitconfig. */
export async function gitBasicAuthWorkspace(dir: string, url: string, cred: Credential): Promise<string> {
  const u = new URL(url);
  u.username = encodeURIComponent(cred.username);
  u.password = encodeURIComponent(cred.password);
  u.pathname = '';
  return writeKeys(dir, { '.git-credentials': `${u.toString().replace(/\/$/, '')}\n`, '.gitconfig': '[credential]\n\thelper = store\n' });
}

/** A dockerconfigjson workspace for build-image. */
export async function dockerConfigWorkspace(dir: string, host: string, cred: Credential): Promise<string> {
  const auth = Buffer.from(`${cred.username}:${cred.password}`).toString('base64');
  return writeKeys(dir, { 'config.json': JSON.stringify({ auths: { [host]: { auth } } }) });
}
