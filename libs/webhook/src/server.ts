// The verifier as an HTTP service, the NamespacedInterceptor an EventListener calls before its own interceptors.
// Accepted: 200 and continue. An event type that starts nothing: 200, continue false (Triggers' own answer).
// Refused (wrong or missing secret): HTTP 403 with the reason, because Triggers v0.35 logs an interceptor's
// "continue: false" only at debug level, and a non-200 answer at error level, in the EventListener's log, which
// is where a user looks when a push started nothing. The verifier logs every refusal at warning level too.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerSecret, type Logger } from '@hat/task-runtime';
import { FAILED_PRECONDITION, parseInterceptorRequest, type InterceptorRequest, type InterceptorResponse } from './request.ts';
import { verifyDelivery, type VerifierConfig } from './verify.ts';

export interface VerifierOptions {
  readonly config: VerifierConfig;
  /** The webhook secret now (read per delivery); rejects when it cannot be read. */
  readonly readSecret: () => Promise<string>;
  readonly port: number;
  readonly host?: string;
  readonly log: Logger;
}

export interface RunningVerifier {
  readonly url: string;
  close(): Promise<void>;
}

/** GitHub caps a delivery at 25 MB; anything larger is not a webhook. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

const where = (req: InterceptorRequest): string => `event ${req.context?.event_id || '?'}, ${req.context?.trigger_id || 'trigger ?'}`;

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', reject);
  });
}

function answer(res: http.ServerResponse, status: number, body: InterceptorResponse | string): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function handleDelivery(text: string | undefined, opts: Pick<VerifierOptions, 'config' | 'readSecret' | 'log'>): Promise<{ status: number; body: InterceptorResponse | string }> {
  const req = text === undefined ? undefined : parseInterceptorRequest(text);
  if (!req) return { status: 400, body: 'expected a Tekton Triggers InterceptorRequest (JSON) of at most 32 MB' };
  let secret: string;
  try {
    secret = await opts.readSecret();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it is not there' : (err as Error).message;
    const message = `cannot check the delivery: the webhook secret (Secret ${opts.config.secretRef}) cannot be read: ${reason}; create the Secret with that key (kubectl create secret generic …) and deliver again`;
    opts.log.warn(`${message} (${where(req)})`);
    return { status: 500, body: message };
  }
  registerSecret(secret);
  const verdict = verifyDelivery(req, secret, opts.config);
  if (verdict.outcome === 'accepted') {
    opts.log.info(`accepted ${opts.config.provider} ${verdict.event} delivery (${where(req)})`);
    return { status: 200, body: { continue: true } };
  }
  if (verdict.outcome === 'ignored') {
    opts.log.info(`ignored: ${verdict.message} (${where(req)})`);
    return { status: 200, body: { continue: false, status: { code: FAILED_PRECONDITION, message: verdict.message } } };
  }
  opts.log.warn(`${verdict.message} (${where(req)})`);
  return { status: 403, body: verdict.message };
}

export function startVerifier(opts: VerifierOptions): Promise<RunningVerifier> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/readyz')) return answer(res, 200, 'ok');
    if (req.method !== 'POST') return answer(res, 405, 'POST an InterceptorRequest');
    readBody(req)
      .then((text) => handleDelivery(text, opts))
      .then(({ status, body }) => answer(res, status, body))
      .catch((err: unknown) => answer(res, 500, `verifier error: ${(err as Error).message}`));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      const { address, port } = server.address() as AddressInfo;
      resolve({
        url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
