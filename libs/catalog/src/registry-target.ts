// `--registry HOST[/PATH]`: where images and bundles go, and the credential for it.
import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPushSession, credentialFor, readDockerConfig, type PushSession, type RegistryCredential } from '@hat/oci';
import { InputError } from '@hat/task-runtime';

export interface RegistryPrefix {
  /** `ghcr.io/hat-project`, `127.0.0.1:5000` */
  readonly prefix: string;
  readonly host: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function parseRegistryPrefix(text: string, flag: string): RegistryPrefix {
  const prefix = text.trim().replace(/\/+$/, '');
  const [host = '', ...rest] = prefix.split('/');
  if (!/^[a-zA-Z0-9.-]+(:\d+)?$/.test(host) || !(host.includes('.') || host.includes(':') || host === 'localhost')) {
    throw new InputError(`${flag} takes HOST[/PATH], e.g. ghcr.io/acme or 127.0.0.1:5000 (got ${JSON.stringify(text)})`);
  }
  if (rest.some((c) => !COMPONENT.test(c))) throw new InputError(`${flag}: the path must be lower-case components [a-z0-9._-] (got ${JSON.stringify(text)})`);
  return { prefix, host };
}

/** The docker config.json to read credentials from: --authfile, $REGISTRY_AUTH_FILE, then ~/.docker/config.json. */
export async function resolveAuthFile(flag: string | undefined): Promise<string | undefined> {
  if (flag) return path.resolve(flag);
  const candidates = [process.env['REGISTRY_AUTH_FILE'], path.join(os.homedir(), '.docker', 'config.json')].filter((f): f is string => Boolean(f));
  for (const f of candidates) if (await access(f).then(() => true, () => false)) return f;
  return undefined;
}

export async function credentialOf(authFile: string | undefined, host: string): Promise<RegistryCredential | undefined> {
  if (!authFile) return undefined;
  return credentialFor(await readDockerConfig(authFile), host);
}

/** One registry session per host, with the credential for it from authFile. */
export function registrySessions(authFile: string | undefined, tlsVerify: boolean): (host: string) => Promise<PushSession> {
  const sessions = new Map<string, Promise<PushSession>>();
  return (host) => {
    let session = sessions.get(host);
    if (!session) {
      session = credentialOf(authFile, host).then((credential) => createPushSession({ registry: host, credential, tlsVerify }));
      sessions.set(host, session);
    }
    return session;
  };
}
