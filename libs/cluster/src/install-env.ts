// The per-env ConfigMap and Secret `hat-gitops-<env>` that each deploy Task mounts, from files: a folder with one
// file per key (as `kubectl create secret generic --from-file=DIR`) or a file of KEY=VALUE lines. Keys are checked
// against what the deploy Task reads (tasks/deploy/src/credentials.ts); values are never printed, only key names.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { InputError } from '@hat/task-runtime';

export const ENVIRONMENTS = ['test', 'stage', 'prod'] as const;
export type EnvName = (typeof ENVIRONMENTS)[number];

/**
 * What the deploy Task reads from the ConfigMap (url required; require-upstream with upstream-url) and from the Secret
 * (password or ssh-privatekey; optional signing-key, upstream and registry read credentials): tasks/deploy/README.md.
 */
export const ENV_CONFIG_KEYS = ['url', 'branch', 'author-name', 'author-email', 'require-upstream', 'upstream-url', 'upstream-branch', 'mode', 'forge', 'forge-api-url'] as const;
export const ENV_SECRET_KEYS = ['username', 'password', 'ssh-privatekey', 'known_hosts', 'signing-key', 'upstream-username', 'upstream-password', 'registry-username', 'registry-password', 'forge-token'] as const;

export interface EnvFiles {
  readonly env: EnvName;
  /** KEY=VALUE file or folder of key files. */
  readonly config?: string;
  readonly secret?: string;
}

/** Refuses an ENV=PATH flag whose ENV is not one HAT has a deploy Task for, naming the flag. */
export function checkEnvNames(flag: string, record: Readonly<Record<string, string>>): void {
  for (const env of Object.keys(record)) {
    if (!(ENVIRONMENTS as readonly string[]).includes(env)) throw new InputError(`${flag} takes ENV=PATH with ENV one of ${ENVIRONMENTS.join(', ')} (got ${JSON.stringify(env)})`);
  }
}

/** The env files of `--env-config ENV=PATH` and `--env-secret ENV=PATH` (records of env → path). */
export function envFilesOf(configs: Readonly<Record<string, string>>, secrets: Readonly<Record<string, string>>): EnvFiles[] {
  const out: EnvFiles[] = [];
  checkEnvNames('--env-config', configs);
  checkEnvNames('--env-secret', secrets);
  for (const env of ENVIRONMENTS) {
    if (configs[env] === undefined && secrets[env] === undefined) continue;
    out.push({ env, ...(configs[env] !== undefined ? { config: configs[env] } : {}), ...(secrets[env] !== undefined ? { secret: secrets[env] } : {}) });
  }
  return out;
}

/** Reads keys from a folder (one file per key) or a KEY=VALUE file; `what` names the flag in errors. */
export async function readKeyValues(file: string, what: string, allowed: readonly string[]): Promise<Record<string, string>> {
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new InputError(`${what}: ${file} does not exist (expected a folder with one file per key, or a file of KEY=VALUE lines)`);
  const out: Record<string, string> = {};
  if (info.isDirectory()) {
    for (const name of (await readdir(file)).sort()) {
      if (name.startsWith('.')) continue;
      out[name] = await readFile(path.join(file, name), 'utf8');
    }
  } else {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (!line.trim() || line.trimStart().startsWith('#')) return;
      const eq = line.indexOf('=');
      if (eq <= 0) throw new InputError(`${what}: ${file} line ${i + 1} is not KEY=VALUE`);
      out[line.slice(0, eq).trim()] = line.slice(eq + 1);
    });
  }
  for (const key of Object.keys(out)) if (!allowed.includes(key)) throw new InputError(`${what}: unknown key ${JSON.stringify(key)} in ${file} (expected ${allowed.join(', ')})`);
  return out;
}

/** A PEM or OpenSSH private key (the key's text, not a path). */
export const isPrivateKey = (text: string): boolean => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);

/** A git repository URL: https://, http://, ssh:// or scp-like user@host:path. */
export const isRepoUrl = (url: string): boolean => /^(https?|ssh):\/\/[^\s]+$|^[\w.-]+@[\w.-]+:[^\s]+$/.test(url);

/** A Secret's `data`: every value base64-encoded. */
export const base64Values = (data: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));

/** The ConfigMap and/or Secret hat-gitops-<env> in the tasks namespace. */
export async function envObjects(e: EnvFiles, namespace: string): Promise<KubernetesObject[]> {
  const name = `hat-gitops-${e.env}`;
  const labels = { 'app.kubernetes.io/part-of': 'hat', 'hat.dev/env': e.env };
  const out: KubernetesObject[] = [];
  if (e.config) {
    const data = await readKeyValues(e.config, `--env-config ${e.env}`, ENV_CONFIG_KEYS);
    for (const [k, v] of Object.entries(data)) data[k] = v.trim();
    if (!data['url'] || !isRepoUrl(data['url'])) throw new InputError(`--env-config ${e.env}: url must be the env repo's https://, http:// or ssh:// URL (got ${JSON.stringify(data['url'] ?? '')})`);
    out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data } as KubernetesObject);
  }
  if (e.secret) {
    const data = await readKeyValues(e.secret, `--env-secret ${e.env}`, ENV_SECRET_KEYS);
    const basic = data['password'] !== undefined;
    const ssh = data['ssh-privatekey'] !== undefined;
    if (basic === ssh) throw new InputError(`--env-secret ${e.env}: give either password (with username) for https or ssh-privatekey (with known_hosts) for ssh, not ${basic ? 'both' : 'neither'}`);
    if (ssh && !isPrivateKey(data['ssh-privatekey']!)) throw new InputError(`--env-secret ${e.env}: ssh-privatekey is not a PEM/OpenSSH private key`);
    for (const k of ['username', 'password']) if (data[k] !== undefined) data[k] = data[k].replace(/\r?\n$/, '');
    out.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace, labels },
      type: basic ? 'kubernetes.io/basic-auth' : 'kubernetes.io/ssh-auth',
      data: base64Values(data),
    } as KubernetesObject);
  }
  return out;
}
