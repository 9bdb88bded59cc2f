import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HatError, registerSecret } from '@hat/task-runtime';
import type { GitAuth, Identity } from '@hat/git';

const readKey = async (dir: string | undefined, key: string): Promise<string | undefined> =>
  dir ? readFile(path.join(dir, key), 'utf8').then((v) => v.trim(), () => undefined) : undefined;

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
  const url = (await readKey(configDir, 'url')) ?? (await readKey(secretDir, 'url'));
  if (!url) throw new HatError(`ConfigMap ${object} has no key url (the ${env} env repo); ask your SREs to set it`);
  const branch = (await readKey(configDir, 'branch')) ?? (await readKey(secretDir, 'branch')) ?? 'main';
  const username = await readKey(secretDir, 'username');
  const password = await readKey(secretDir, 'password');
  registerSecret(password);
  const sshKey = secretDir !== undefined && (await readKey(secretDir, 'ssh-privatekey')) !== undefined;
  let auth: GitAuth;
  if (password !== undefined) auth = { kind: 'basic', username: username ?? 'git', password };
  else if (sshKey && secretDir) auth = { kind: 'ssh', dir: secretDir };
  else throw new HatError(`Secret ${object} has neither password (basic auth) nor ssh-privatekey; ask your SREs to set it`);
  return {
    url,
    branch,
    auth,
    author: {
      name: (await readKey(configDir, 'author-name')) ?? 'HAT deploy',
      email: (await readKey(configDir, 'author-email')) ?? 'hat-deploy@localhost',
    },
  };
}
