import { registerSecret } from '@hat/task-runtime';
import type { Challenge } from './challenge.ts';
import type { RegistryCredential } from './docker-config.ts';
import { RegistryAuthError, RegistryError } from './errors.ts';
import { httpRequest } from './http.ts';

export interface TokenRequest {
  readonly challenge: Challenge;
  /** e.g. `repository:acme/app:pull,push`; empty for a plain login check. */
  readonly scope: string;
  readonly credential: RegistryCredential | undefined;
  readonly registry: string;
  readonly tlsVerify: boolean;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const basic = (username: string, password: string): string => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** A bearer token from the registry's token service (distribution token auth, or OAuth2 with an identity token). */
export async function fetchToken(req: TokenRequest): Promise<string> {
  const realm = req.challenge.params['realm'];
  if (!realm) throw new RegistryError(`registry ${req.registry} asked for a bearer token without naming a realm`);
  const service = req.challenge.params['service'];
  const common = { tlsVerify: req.tlsVerify, ...(req.timeoutMs ? { timeoutMs: req.timeoutMs } : {}), ...(req.signal ? { signal: req.signal } : {}) };
  let response;
  if (req.credential?.kind === 'identity-token') {
    // OAuth2 refresh-token grant, as docker does with the identitytoken of a config.json.
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: req.credential.token, client_id: 'hat', ...(service ? { service } : {}), ...(req.scope ? { scope: req.scope } : {}) });
    response = await httpRequest({ url: realm, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), ...common });
  } else {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    if (req.scope) url.searchParams.set('scope', req.scope);
    const headers: Record<string, string> = req.credential ? { authorization: basic(req.credential.username, req.credential.password) } : {};
    response = await httpRequest({ url: url.toString(), headers, ...common });
  }
  if (response.status === 401 || response.status === 403) {
    throw new RegistryAuthError(`registry ${req.registry} refused ${req.credential ? 'the credential' : 'anonymous access'} (token service answered HTTP ${response.status})`);
  }
  if (response.status !== 200) throw new RegistryError(`token service of ${req.registry}: HTTP ${response.status}`);
  const json = JSON.parse(response.body.toString('utf8')) as { token?: string; access_token?: string };
  const token = json.token ?? json.access_token;
  if (!token) throw new RegistryError(`token service of ${req.registry} returned no token`);
  registerSecret(token);
  return token;
}
