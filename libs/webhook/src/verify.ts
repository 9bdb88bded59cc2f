// Checks one delivery against the webhook secret the way the provider signs it, and says exactly why it is
// refused: which header, which Secret and key hold the value it must match. Never the secret, the signature
// or the body. Comparisons are constant time.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { headerValue, type InterceptorRequest } from './request.ts';

export const PROVIDERS = ['github', 'gitlab', 'gitea'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface VerifierConfig {
  readonly provider: Provider;
  /** Event types that start runs (the provider's event header); others are ignored, not refused. */
  readonly eventTypes: readonly string[];
  /** gitea: the header that carries the token, and the text before it (e.g. "Bearer "). */
  readonly tokenHeader: string;
  readonly tokenPrefix: string;
  /** Where the secret is named in messages: `<namespace>/<name> key <key>`. */
  readonly secretRef: string;
}

export type Verdict =
  | { readonly outcome: 'accepted'; readonly event: string }
  | { readonly outcome: 'ignored'; readonly message: string }
  | { readonly outcome: 'refused'; readonly message: string };

const EVENT_HEADER: Record<Provider, string> = { github: 'X-GitHub-Event', gitlab: 'X-Gitlab-Event', gitea: 'X-Gitea-Event' };
const SIGNATURE_HEADER = 'X-Hub-Signature-256';
const GITLAB_TOKEN_HEADER = 'X-Gitlab-Token';

const sha256 = (text: string | Buffer): Buffer => createHash('sha256').update(text).digest();
/** Equal in constant time whatever the lengths (both sides hashed first). */
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(sha256(a), sha256(b));

export function verifyDelivery(req: InterceptorRequest, secret: string, config: VerifierConfig): Verdict {
  const eventHeader = EVENT_HEADER[config.provider];
  const event = headerValue(req, eventHeader);
  const fix = `set the webhook's secret at the provider to the value of Secret ${config.secretRef}`;
  if (config.provider === 'github') {
    const signature = headerValue(req, SIGNATURE_HEADER);
    if (!signature) return refused(`no ${SIGNATURE_HEADER} header: the webhook at the provider has no secret; ${fix}`);
    const expected = `sha256=${createHmac('sha256', secret).update(req.body ?? '').digest('hex')}`;
    if (!sameSecret(signature, expected)) return refused(`${SIGNATURE_HEADER} is not the HMAC-SHA256 of the body with the webhook secret: the webhook at the provider signs with another secret; ${fix}`);
  } else if (config.provider === 'gitlab') {
    const token = headerValue(req, GITLAB_TOKEN_HEADER);
    if (!token) return refused(`no ${GITLAB_TOKEN_HEADER} header: the webhook at the provider has no secret token; ${fix}`);
    if (!sameSecret(token, secret)) return refused(`${GITLAB_TOKEN_HEADER} is not the webhook secret: the webhook at the provider sends another token; ${fix}`);
  } else {
    const token = headerValue(req, config.tokenHeader);
    const carries = config.tokenPrefix ? `${JSON.stringify(config.tokenPrefix)} and the webhook secret` : 'the webhook secret';
    if (!token) return refused(`no ${config.tokenHeader} header: the webhook at the provider sends no token (it must carry ${carries}); ${fix}`);
    if (!token.startsWith(config.tokenPrefix) || !sameSecret(token.slice(config.tokenPrefix.length), secret)) {
      return refused(`${config.tokenHeader} does not carry ${carries}: the webhook at the provider sends another token; ${fix}`);
    }
  }
  if (!event) return { outcome: 'ignored', message: `no ${eventHeader} header: not a ${config.provider} event` };
  if (!config.eventTypes.includes(event)) return { outcome: 'ignored', message: `${eventHeader} ${JSON.stringify(event)} is not one of ${config.eventTypes.map((t) => JSON.stringify(t)).join(', ')}: nothing to run` };
  return { outcome: 'accepted', event };
}

const refused = (message: string): Verdict => ({ outcome: 'refused', message: `refused: ${message}` });
