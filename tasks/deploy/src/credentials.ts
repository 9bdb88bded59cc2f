import { HatError, readMountKey, registerSecret } from '@hat/task-runtime';
import type { GitAuth, Identity } from '@hat/git';

export interface EnvRepoConfig {
  readonly url: string;
  readonly branch: string;
  readonly auth: GitAuth;
  readonly author: Identity;
}

/**
 * The env repo, its branch and credentials, from the SRE-owned ConfigMap and Secret `hat-gitops-<env>`
 * (mounted as files). Params never reach this: a pipeline cannot point deploy-test at prod.
 */
export async function readEnvRepoConfig(env: string, configDir: string | undefined, secretDir: string | undefined): Promise<EnvRepoConfig> {
  const object = `hat-gitops-${env}`;
  const url = (await readMountKey(configDir, 'url')) ?? (await readMountKey(secretDir, 'url'));
  if (!url) throw new HatError(`ConfigMap ${object} has no key url (the ${env} env repo); ask your SREs to set it`);
  const branch = (await readMountKey(configDir, 'branch')) ?? (await readMountKey(secretDir, 'branch')) ?? 'main';
  const username = await readMountKey(secretDir, 'username');
  const password = await readMountKey(secretDir, 'password');
  registerSecret(password);
  const sshKey = secretDir !== undefined && (await readMountKey(secretDir, 'ssh-privatekey')) !== undefined;
  let auth: GitAuth;
  if (password !== undefined) auth = { kind: 'basic', username: username ?? 'git', password };
  else if (sshKey && secretDir) auth = { kind: 'ssh', dir: secretDir };
  else throw new HatError(`Secret ${object} has neither password (basic auth) nor ssh-privatekey; ask your SREs to set it`);
  return {
    url,
    branch,
    auth,
    author: {
      name: (await readMountKey(configDir, 'author-name')) ?? 'HAT deploy',
      email: (await readMountKey(configDir, 'author-email')) ?? 'hat-deploy@localhost',
    },
  };
}
