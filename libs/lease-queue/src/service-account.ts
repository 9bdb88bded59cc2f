// The Kubernetes API as a pod's service account reaches it: the API server from KUBERNETES_SERVICE_HOST/PORT, the
// token, CA and namespace from the mounted service account. Plain JSON over one kept-alive TLS connection, for the
// few calls a queued promotion makes: @kubernetes/client-node costs about 120 ms of CPU to load (its generated API
// and models, which esbuild cannot drop), and 32 promotions arriving at once are 32 such loads on a node of 2 cores
// (bench/promote). Everything else in HAT talks to the cluster with client-node.
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { HatError, RefusedError, TransientError, registerSecret } from '@hat/task-runtime';

/** Where Kubernetes mounts a pod's service account; HAT_SERVICE_ACCOUNT_DIR points elsewhere (a harness outside a pod). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
}

export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

export interface ServiceAccountApi {
  /** The service account's own namespace. */
  readonly namespace: string;
  /** One request; a 4xx is the caller's to read (status), a 5xx or an unreachable server a TransientError. */
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', apiPath: string, body?: unknown): Promise<ApiResponse<T>>;
  /** Streams a watch's events until `onEvent` returns true (resolves true), or the server ends it (resolves false). */
  watch<T>(apiPath: string, onEvent: (event: WatchEvent<T>) => boolean, signal?: AbortSignal): Promise<boolean>;
  close(): void;
}

/** The service account this process runs as, or undefined outside a pod (the CLI, `hat task run`). */
export function serviceAccountApi(env: NodeJS.ProcessEnv = process.env): ServiceAccountApi | undefined {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const dir = env['HAT_SERVICE_ACCOUNT_DIR'] || SERVICE_ACCOUNT_DIR;
  if (!host || !existsSync(path.join(dir, 'token'))) return undefined;
  const port = Number(env['KUBERNETES_SERVICE_PORT'] || 443);
  const token = readFileSync(path.join(dir, 'token'), 'utf8').trim();
  registerSecret(token);
  const ca = readFileSync(path.join(dir, 'ca.crt'));
  const namespace = readFileSync(path.join(dir, 'namespace'), 'utf8').trim();
  const agent = new https.Agent({ keepAlive: true, ca, maxSockets: 8 });
  const server = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };

  const open = (method: string, apiPath: string, body: string | undefined, signal?: AbortSignal) =>
    new Promise<{ status: number; stream: NodeJS.ReadableStream }>((resolve, reject) => {
      const req = https.request(
        // The body's length always (node sends a DELETE's body with neither it nor chunked encoding, and the server
        // would read that body as the next request on the kept-alive connection).
        { host, port, path: apiPath, method, agent, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) }, ...(signal ? { signal } : {}) },
        (res) => resolve({ status: res.statusCode ?? 0, stream: res }),
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError') reject(err);
        else if (err.code === 'ECONNREFUSED') reject(new RefusedError(`the Kubernetes API at ${server}: connection refused`));
        else reject(new TransientError(`the Kubernetes API at ${server}: ${err.code ?? err.message}`));
      });
      req.end(body);
    });

  const text = async (stream: NodeJS.ReadableStream): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  return {
    namespace,
    async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', apiPath: string, body?: unknown) {
      const res = await open(method, apiPath, body === undefined ? undefined : JSON.stringify(body));
      const raw = await text(res.stream);
      if (res.status >= 500) throw new TransientError(`the Kubernetes API answered ${method} ${apiPath.split('?')[0]} with ${res.status}`);
      if (res.status === 401) throw new HatError(`the Kubernetes API refused the service account's token (401)`);
      try {
        return { status: res.status, body: (raw ? JSON.parse(raw) : {}) as T };
      } catch {
        throw new HatError(`the Kubernetes API answered ${method} ${apiPath.split('?')[0]} with ${res.status} and no JSON: ${raw.slice(0, 80).trim()}`);
      }
    },
    async watch<T>(apiPath: string, onEvent: (event: WatchEvent<T>) => boolean, signal?: AbortSignal) {
      const res = await open('GET', apiPath, undefined, signal);
      if (res.status !== 200) {
        const raw = await text(res.stream);
        throw new TransientError(`the Kubernetes API answered the watch ${apiPath.split('?')[0]} with ${res.status}: ${raw.slice(0, 200)}`);
      }
      let pending = '';
      for await (const chunk of res.stream) {
        pending += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.trim() && onEvent(JSON.parse(line) as WatchEvent<T>)) {
            (res.stream as unknown as { destroy(): void }).destroy();
            return true;
          }
        }
      }
      return false;
    },
    close: () => agent.destroy(),
  };
}
