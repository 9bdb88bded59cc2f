// A push event as GitHub sends it (the fields HAT's EventListener reads), signed with the webhook secret, and
// delivered to an EventListener's Service from this machine (the service range routes to the cluster's bridge).
import { createHmac } from 'node:crypto';
import http from 'node:http';

export interface Delivery {
  readonly status: number;
  readonly body: string;
}

export function githubPush(ref: string, after: string, cloneUrl: string): string {
  return JSON.stringify({
    ref,
    before: '0'.repeat(40),
    after,
    deleted: false,
    head_commit: { id: after },
    repository: { full_name: 'hat/web', clone_url: cloneUrl, ssh_url: cloneUrl },
  });
}

export const githubSignature = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export function deliver(url: string, body: string, headers: Record<string, string>): Promise<Delivery> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers }, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`POST ${url}: no answer in 30 s`)));
    req.end(body);
  });
}

/** Connection errors a listener gives while its pod (re)starts or its Service's endpoints still name a replaced pod. */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ETIMEDOUT']);

/**
 * Delivers, retrying while the listener cannot be reached (its pod restarts until the core interceptors have their
 * certificate; the Service may name a replaced pod for a moment), for at most timeoutMs; then fails naming the listener.
 */
export async function deliverWhenListening(url: string, body: string, headers: Record<string, string>, timeoutMs = 120_000): Promise<Delivery> {
  const started = Date.now();
  for (;;) {
    try {
      return await deliver(url, body, headers);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const waited = Math.round((Date.now() - started) / 1000);
      if (!TRANSIENT.has(code)) throw new Error(`EventListener at ${url}: ${(err as Error).message}`);
      if (Date.now() - started > timeoutMs) throw new Error(`EventListener at ${url}: ${(err as Error).message} (still after ${waited} s)`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
