import { readdir } from 'node:fs/promises';
import { HatError, InputError, readMountKey, registerSecret } from '@hat/task-runtime';
import type { GitAuth, Identity } from '@hat/git';
import { isDns1123Label } from '@hat/gitops/names';
import type { RegistryCredential } from '@hat/oci';
import type { UpstreamRepo } from './upstream.ts';

export interface EnvRepoConfig {
  readonly url: string;
  readonly branch: string;
  readonly auth: GitAuth;
  readonly author: Identity;
  /** The Secret's signing-key (an SSH private key): deploy commits are signed with it. */
  readonly signingKey?: { readonly key: string; readonly what: string };
  /** require-upstream: this env deploys only what that env ran (its repo, read-only credentials). */
  readonly upstream?: UpstreamRepo;
  /** registry-username/registry-password: read access for the artifact checks. */
  readonly registryCredential?: RegistryCredential;
  /** Where registryCredential comes from, for errors. */
  readonly registryCredentialSource: string;
  /** mode: pull-request: deploys open a pull request on the forge instead of pushing to the branch. */
  readonly pullRequest?: PullRequestConfig;
}

/** ConfigMap forge (default gitea) and forge-api-url (default <origin>/api/v1); Secret forge-token. */
export interface PullRequestConfig {
  readonly provider: string;
  readonly apiUrl: string | undefined;
  readonly token: string;
}

/** How an env takes deploys: pushed to its branch, or proposed as a pull request (ConfigMap key mode). */
export const DEPLOY_MODES = ['push', 'pull-request'] as const;

const CONFIG_KEYS = 'url, optional branch, author-name, author-email';
const SECRET_KEYS = 'username and password, or ssh-privatekey and known_hosts';

/** The keys of a mounted ConfigMap or Secret (its files; the volume's own ..data entries are hidden). */
const keysIn = async (dir: string | undefined): Promise<string[]> => (dir === undefined ? [] : (await readdir(dir).catch(() => [])).filter((n) => !n.startsWith('.')));

/**
 * The env repo, its branch and credentials, from the SRE-owned ConfigMap and Secret `hat-gitops-<env>`
 * (mounted as files). Params never reach this: a pipeline cannot point deploy-test at prod.
 */
export async function readEnvRepoConfig(env: string, configDir: string | undefined, secretDir: string | undefined): Promise<EnvRepoConfig> {
  const object = `hat-gitops-${env}`;
  // Both are mounted optional, so a missing object reaches here as an empty folder (not a Pod stuck on FailedMount).
  if ((await keysIn(configDir)).length === 0) {
    throw new HatError(`ConfigMap ${object} is missing or empty in this namespace, so the ${env} env repo is unknown: create it with hat install --env-config ${env}=FILE (keys ${CONFIG_KEYS})`);
  }
  if ((await keysIn(secretDir)).length === 0) {
    throw new HatError(`Secret ${object} is missing or empty in this namespace, so there is no credential for the ${env} env repo: create it with hat install --env-secret ${env}=PATH (${SECRET_KEYS})`);
  }
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
  const signingKey = await readMountKey(secretDir, 'signing-key');
  registerSecret(signingKey);
  const upstream = await readUpstream(object, configDir, secretDir);
  const pullRequest = await readPullRequestMode(object, configDir, secretDir);
  const registryPassword = await readMountKey(secretDir, 'registry-password');
  registerSecret(registryPassword);
  const registryUsername = await readMountKey(secretDir, 'registry-username');
  return {
    url,
    branch,
    auth,
    ...(signingKey !== undefined ? { signingKey: { key: signingKey, what: `Secret ${object} key signing-key` } } : {}),
    ...(upstream ? { upstream } : {}),
    ...(pullRequest ? { pullRequest } : {}),
    ...(registryPassword !== undefined ? { registryCredential: { kind: 'basic' as const, username: registryUsername ?? '', password: registryPassword } } : {}),
    registryCredentialSource: `Secret ${object} keys registry-username and registry-password`,
    author: {
      name: (await readMountKey(configDir, 'author-name')) ?? 'HAT deploy',
      email: (await readMountKey(configDir, 'author-email')) ?? 'hat-deploy@localhost',
    },
  };
}

/** ConfigMap require-upstream (an env name), upstream-url and upstream-branch; Secret upstream-username and upstream-password. */
async function readUpstream(object: string, configDir: string | undefined, secretDir: string | undefined): Promise<UpstreamRepo | undefined> {
  const env = await readMountKey(configDir, 'require-upstream');
  if (env === undefined || env === '') return undefined;
  if (!isDns1123Label(env)) throw new InputError(`ConfigMap ${object} key require-upstream: expected the name of the env whose runs this env takes (e.g. stage), got ${JSON.stringify(env)}`);
  const url = await readMountKey(configDir, 'upstream-url');
  if (!url) throw new InputError(`ConfigMap ${object} has require-upstream: ${env} but no upstream-url (the ${env} env repo, read to check what ran there)`);
  const username = await readMountKey(secretDir, 'upstream-username');
  const password = await readMountKey(secretDir, 'upstream-password');
  registerSecret(password);
  const auth: GitAuth = password !== undefined ? { kind: 'basic', username: username ?? 'git', password } : { kind: 'none' };
  return { env, url, branch: (await readMountKey(configDir, 'upstream-branch')) ?? 'main', auth };
}

/** ConfigMap mode (push or pull-request), forge and forge-api-url; Secret forge-token (an API token that may open pull requests). */
async function readPullRequestMode(object: string, configDir: string | undefined, secretDir: string | undefined): Promise<PullRequestConfig | undefined> {
  const mode = (await readMountKey(configDir, 'mode')) ?? 'push';
  if (!(DEPLOY_MODES as readonly string[]).includes(mode)) throw new InputError(`ConfigMap ${object} key mode: expected ${DEPLOY_MODES.join(' or ')}, got ${JSON.stringify(mode)}`);
  if (mode === 'push') return undefined;
  const token = await readMountKey(secretDir, 'forge-token');
  registerSecret(token);
  if (!token) throw new InputError(`ConfigMap ${object} has mode: pull-request but Secret ${object} has no forge-token (an API token of the forge that may open pull requests on the env repo)`);
  return { provider: (await readMountKey(configDir, 'forge')) ?? 'gitea', apiUrl: await readMountKey(configDir, 'forge-api-url'), token };
}
