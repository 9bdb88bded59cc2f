import { createHash } from 'node:crypto';
import { parseChallenge } from './challenge.ts';
import type { RegistryCredential } from './docker-config.ts';
import { RegistryAuthError, RegistryError } from './errors.ts';
import { httpRequest, isPlainHttpAnswer, TransportError, type HttpResponse } from './http.ts';
import { apiHost } from './image-ref.ts';
import { fetchToken } from './token.ts';

export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
] as const;

export interface RegistryClientOptions {
  /** Registry host as in image references (`ghcr.io`, `127.0.0.1:5000`, `docker.io`). */
  readonly registry: string;
  readonly credential?: RegistryCredential | undefined;
  /** Require https with a verified certificate (default true). When false, https is tried, then plain http. */
  readonly tlsVerify?: boolean;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface Manifest {
  /** sha256 of the manifest bytes as served (what `image@digest` pins). */
  readonly digest: string;
  readonly mediaType: string;
  readonly body: string;
}

export interface RegistryClient {
  /** Logs in (basic or token) with the credential; throws RegistryAuthError when it is refused or missing. */
  checkAccess(repository: string, actions: readonly ('pull' | 'push')[]): Promise<void>;
  /** The manifest at a tag or digest, or undefined when there is none. */
  getManifest(repository: string, reference: string): Promise<Manifest | undefined>;
  manifestDigest(repository: string, reference: string): Promise<string | undefined>;
}

/** A small OCI distribution client: API version check, basic and bearer-token auth, manifests by digest. */
export function createRegistryClient(opts: RegistryClientOptions): RegistryClient {
  const host = apiHost(opts.registry);
  const tlsVerify = opts.tlsVerify ?? true;
  const common = { tlsVerify, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  let base: string | undefined;
  const authorizations = new Map<string, string | undefined>();

  const get = async (path: string, headers: Record<string, string> = {}): Promise<HttpResponse> => {
    if (base === undefined) {
      try {
        const response = await httpRequest({ url: `https://${host}${path}`, headers, ...common });
        base = `https://${host}`;
        return response;
      } catch (err) {
        if (!isPlainHttpAnswer(err)) throw err;
        if (tlsVerify) throw new TransportError(`registry ${opts.registry} serves plain HTTP, not https: it is an insecure registry (turn TLS verification off to use it)`, 'EPROTO', { cause: err });
        base = `http://${host}`;
      }
    }
    return httpRequest({ url: `${base}${path}`, headers, ...common });
  };

  const who = (): string => (opts.credential?.kind === 'basic' ? `user ${JSON.stringify(opts.credential.username)}` : opts.credential ? 'the identity token' : 'anonymous access');

  /** The Authorization header value for a scope, found by answering the registry's challenge. */
  const authorize = async (scope: string): Promise<string | undefined> => {
    if (authorizations.has(scope)) return authorizations.get(scope);
    const ping = await get('/v2/');
    let value: string | undefined;
    if (ping.status === 401) {
      const challenge = parseChallenge(String(ping.headers['www-authenticate'] ?? ''));
      if (!challenge) throw new RegistryError(`registry ${opts.registry} wants authentication with a scheme HAT does not speak (${String(ping.headers['www-authenticate'])})`);
      if (challenge.scheme === 'basic') {
        if (opts.credential?.kind !== 'basic') throw new RegistryAuthError(`registry ${opts.registry} requires a username and password, and none was given for it`);
        value = `Basic ${Buffer.from(`${opts.credential.username}:${opts.credential.password}`).toString('base64')}`;
        const check = await get('/v2/', { authorization: value });
        if (check.status === 401 || check.status === 403) throw new RegistryAuthError(`registry ${opts.registry} refused ${who()} (HTTP ${check.status})`);
      } else {
        value = `Bearer ${await fetchToken({ challenge, scope, credential: opts.credential, registry: opts.registry, ...common })}`;
      }
    } else if (ping.status !== 200) {
      throw new RegistryError(`registry ${opts.registry}: GET /v2/ answered HTTP ${ping.status}; is this an OCI registry?`);
    }
    authorizations.set(scope, value);
    return value;
  };

  const getManifest = async (repository: string, reference: string): Promise<Manifest | undefined> => {
    const auth = await authorize(`repository:${repository}:pull`);
    const response = await get(`/v2/${repository}/manifests/${reference}`, { accept: MANIFEST_MEDIA_TYPES.join(', '), ...(auth ? { authorization: auth } : {}) });
    if (response.status === 404) return undefined;
    if (response.status === 401 || response.status === 403) throw new RegistryAuthError(`registry ${opts.registry} refused ${who()} reading ${repository}:${reference} (HTTP ${response.status})`);
    if (response.status !== 200) throw new RegistryError(`GET manifest ${repository}:${reference} from ${opts.registry}: HTTP ${response.status}`);
    const digest = `sha256:${createHash('sha256').update(response.body).digest('hex')}`;
    const served = response.headers['docker-content-digest'];
    if (typeof served === 'string' && served.startsWith('sha256:') && served !== digest) {
      throw new RegistryError(`registry ${opts.registry} served ${repository}:${reference} with digest header ${served} but its bytes hash to ${digest}`);
    }
    return { digest, mediaType: String(response.headers['content-type'] ?? ''), body: response.body.toString('utf8') };
  };

  return {
    async checkAccess(repository, actions) {
      await authorize(`repository:${repository}:${actions.join(',')}`);
    },
    getManifest,
    async manifestDigest(repository, reference) {
      return (await getManifest(repository, reference))?.digest;
    },
  };
}
