import http from 'node:http';
import https from 'node:https';
import { HatError, TransientError } from '@hat/task-runtime';

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpRequest {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Verify TLS certificates (https only). */
  readonly tlsVerify: boolean;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Socket-level failures that a later attempt may not see (the server is down, restarting, or slow). */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/** The server could not be reached (refused, reset, timed out, no route): worth another attempt. */
export class UnreachableError extends TransientError {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Any other transport failure (TLS handshake, certificate, protocol): another attempt would fail the same way. */
export class TransportError extends HatError {
  override readonly name = 'TransportError';
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An https request that reached a plain-HTTP server (containers/image falls back to http then, when TLS is not verified). */
export const isPlainHttpAnswer = (err: unknown): boolean =>
  err instanceof TransportError && (err.code === 'EPROTO' || err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(err.message));

/** One HTTP/1.1 request without a connection pool (nothing keeps the process alive); 5xx becomes TransientError. */
export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const url = new URL(req.url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: req.method ?? 'GET',
        headers: { connection: 'close', 'user-agent': 'hat-oci', ...req.headers },
        agent: false,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: req.tlsVerify } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (err) => reject(transportError(req, err)));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const body = Buffer.concat(chunks);
          if (status >= 500) reject(new TransientError(`${req.method ?? 'GET'} ${req.url}: HTTP ${status} ${body.toString('utf8').slice(0, 120).trim()}`));
          else resolve({ status, headers: response.headers, body });
        });
      },
    );
    request.setTimeout(req.timeoutMs ?? 30_000, () => request.destroy(Object.assign(new Error(`no answer within ${req.timeoutMs ?? 30_000} ms`), { code: 'ETIMEDOUT' })));
    request.on('error', (err) => reject(transportError(req, err)));
    request.end(req.body);
  });
}

function transportError(req: HttpRequest, err: Error): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const message = `${req.method ?? 'GET'} ${req.url}: ${code && !err.message.includes(code) ? `${code} ` : ''}${err.message}`;
  return code && TRANSIENT_CODES.has(code) ? new UnreachableError(message, code, { cause: err }) : new TransportError(message, code, { cause: err });
}
