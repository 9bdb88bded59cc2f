import { readFile } from 'node:fs/promises';
import { InputError, registerSecret } from '@hat/task-runtime';

/** A registry credential: basic (username + password/token) or an OAuth2 refresh token (`identitytoken`). */
export type RegistryCredential =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'identity-token'; readonly token: string };

/** The parts of a docker config.json (`.dockerconfigjson`) HAT reads. */
export interface DockerConfig {
  readonly auths: Readonly<Record<string, RegistryCredential>>;
}

interface RawAuth {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function credentialOf(host: string, raw: RawAuth, file: string): RegistryCredential | undefined {
  const token = str(raw.identitytoken);
  if (token) {
    registerSecret(token);
    return { kind: 'identity-token', token };
  }
  const auth = str(raw.auth);
  if (auth) {
    registerSecret(auth);
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new InputError(`${file}: auths.${host}.auth is not base64 of "user:password"`);
    const password = decoded.slice(colon + 1);
    registerSecret(password);
    return { kind: 'basic', username: decoded.slice(0, colon), password };
  }
  const username = str(raw.username);
  const password = str(raw.password);
  if (username && password) {
    registerSecret(password);
    return { kind: 'basic', username, password };
  }
  return undefined;
}

/** Parses docker config JSON; every secret in it is registered for masking before anything can print it. */
export function parseDockerConfig(text: string, file: string): DockerConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file} is not JSON (${err instanceof Error ? err.message : String(err)}); expected a docker config.json {"auths": {...}}`);
  }
  const auths = (json as { auths?: unknown } | null)?.auths;
  if (typeof auths !== 'object' || auths === null) throw new InputError(`${file} has no "auths" object; expected a docker config.json {"auths": {...}}`);
  const out: Record<string, RegistryCredential> = {};
  for (const [host, raw] of Object.entries(auths as Record<string, RawAuth>)) {
    const cred = typeof raw === 'object' && raw !== null ? credentialOf(host, raw, file) : undefined;
    if (cred) out[host] = cred;
  }
  return { auths: out };
}

export async function readDockerConfig(file: string): Promise<DockerConfig> {
  return parseDockerConfig(await readFile(file, 'utf8'), file);
}

/** The key of an `auths` entry as a bare host: `https://index.docker.io/v1/` → `docker.io`, `ghcr.io/org` → `ghcr.io`. */
export function normaliseAuthKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? '';
  return ['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].includes(host) ? 'docker.io' : host;
}

/** The credential for a registry host, matched the way docker and containers/image match `auths` keys. */
export function credentialFor(config: DockerConfig, registry: string): RegistryCredential | undefined {
  const wanted = normaliseAuthKey(registry);
  for (const [key, cred] of Object.entries(config.auths)) if (normaliseAuthKey(key) === wanted) return cred;
  return undefined;
}
