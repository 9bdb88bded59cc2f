import http from 'node:http';
import https from 'node:https';
import { TransientError } from '@hat/task-runtime';
import { parseChallenge } from './challenge.ts';
import type { RegistryCredential } from './docker-config.ts';
import { RegistryAuthError, RegistryError } from './errors.ts';
import { isPlainHttpAnswer, TransportError, UnreachableError } from './http.ts';
import { apiHost } from './image-ref.ts';
import { fetchToken } from './token.ts';

/** Where to push: a registry host and how to reach it. */
export interface PushTarget {
  /** Registry host as in image references (`ghcr.io`, `127.0.0.1:5000`). */
  readonly registry: string;
  readonly credential?: RegistryCredential | undefined;
  /** Require https with a verified certificate (default true). When false, https is tried, then plain http. */
  readonly tlsVerify?: boolean;
  readonly timeoutMs?: number;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface SessionRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';
  /** A path (`/v2/…`) or an absolute URL (upload locations). */
  readonly path: string;
  /** The repository whose scope the request needs (bearer tokens are per scope). */
  readonly repository: string;
  readonly actions: readonly ('pull' | 'push')[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** Registry API requests with binary bodies, basic or bearer auth answered once per scope. */
export interface PushSession {
  readonly registry: string;
  request(req: SessionRequest): Promise<RawResponse>;
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE', 'ENOTFOUND']);

function send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, tlsVerify: boolean, timeoutMs: number): Promise<RawResponse> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => {
      const code = (err as NodeJS.ErrnoException).code;
      const message = `${method} ${url.origin}${url.pathname}: ${code && !err.message.includes(code) ? `${code} ` : ''}${err.message}`;
      reject(code && TRANSIENT_CODES.has(code) ? new UnreachableError(message, code, { cause: err }) : new TransportError(message, code, { cause: err }));
    };
    const request = client.request(
      url,
      {
        method,
        agent: false,
        headers: { connection: 'close', 'user-agent': 'hat-oci', ...(body ? { 'content-length': String(body.length) } : {}), ...headers },
        ...(url.protocol === 'https:' ? { rejectUnauthorized: tlsVerify } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const data = Buffer.concat(chunks);
          if (status >= 500) reject(new TransientError(`${method} ${url.origin}${url.pathname}: HTTP ${status} ${data.toString('utf8').slice(0, 120).trim()}`));
          else resolve({ status, headers: response.headers, body: data });
        });
      },
    );
    request.setTimeout(timeoutMs, () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    request.on('error', fail);
    request.end(body);
  });
}

const basic = (username: string, password: string): string => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** Opens a session for pushing to (and reading back from) one registry. Nothing is sent until the first request. */
export function createPushSession(target: PushTarget): PushSession {
  const host = apiHost(target.registry);
  const tlsVerify = target.tlsVerify ?? true;
  const timeoutMs = target.timeoutMs ?? 60_000;
  let base: string | undefined;
  let challenge: ReturnType<typeof parseChallenge> | null | undefined;
  const tokens = new Map<string, string | undefined>();
  const who = target.credential?.kind === 'basic' ? `user ${JSON.stringify(target.credential.username)}` : target.credential ? 'the identity token' : 'anonymous access';

  const origin = async (): Promise<string> => {
    if (base !== undefined) return base;
    try {
      await send(new URL(`https://${host}/v2/`), 'GET', {}, undefined, tlsVerify, timeoutMs);
      base = `https://${host}`;
    } catch (err) {
      if (!isPlainHttpAnswer(err)) throw err;
      if (tlsVerify) throw new TransportError(`registry ${target.registry} serves plain HTTP, not https: it is an insecure registry (turn TLS verification off to use it)`, 'EPROTO', { cause: err });
      base = `http://${host}`;
    }
    return base;
  };

  /** The Authorization header for a scope: none, basic, or a bearer token from the registry's token service. */
  const authorization = async (scope: string): Promise<string | undefined> => {
    if (tokens.has(scope)) return tokens.get(scope);
    if (challenge === undefined) {
      const ping = await send(new URL(`${await origin()}/v2/`), 'GET', {}, undefined, tlsVerify, timeoutMs);
      if (ping.status === 401) {
        challenge = parseChallenge(String(ping.headers['www-authenticate'] ?? '')) ?? null;
        if (challenge === null) throw new RegistryError(`registry ${target.registry} wants authentication with a scheme HAT does not speak (${String(ping.headers['www-authenticate'])})`);
      } else if (ping.status === 200) {
        challenge = null;
      } else {
        throw new RegistryError(`registry ${target.registry}: GET /v2/ answered HTTP ${ping.status}; is this an OCI registry?`);
      }
    }
    let value: string | undefined;
    if (challenge?.scheme === 'basic') {
      if (target.credential?.kind !== 'basic') throw new RegistryAuthError(`registry ${target.registry} requires a username and password, and none was given for it`);
      value = basic(target.credential.username, target.credential.password);
    } else if (challenge?.scheme === 'bearer') {
      value = `Bearer ${await fetchToken({ challenge, scope, credential: target.credential, registry: target.registry, tlsVerify, timeoutMs })}`;
    }
    tokens.set(scope, value);
    return value;
  };

  return {
    registry: target.registry,
    async request(req) {
      const scope = `repository:${req.repository}:${req.actions.join(',')}`;
      const auth = await authorization(scope);
      const registryOrigin = await origin();
      let url = new URL(req.path, registryOrigin);
      // Blob reads may be redirected to storage (S3, a CDN): follow a few hops, without our credential elsewhere.
      for (let hop = 0; ; hop++) {
        const headers: Record<string, string> = { ...req.headers, ...(auth && url.origin === registryOrigin ? { authorization: auth } : {}) };
        const response = await send(url, req.method, headers, req.body, tlsVerify, timeoutMs);
        if (response.status === 401 || response.status === 403) {
          throw new RegistryAuthError(`registry ${target.registry} refused ${who} for ${req.method} ${req.repository} (HTTP ${response.status})`);
        }
        const location = response.headers.location;
        if ((req.method === 'GET' || req.method === 'HEAD') && [301, 302, 303, 307, 308].includes(response.status) && location && hop < 3) {
          url = new URL(location, url);
          continue;
        }
        return response;
      }
    },
  };
}
