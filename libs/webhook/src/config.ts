// The verifier's settings, from its container's environment (the pipeline chart sets them): one line naming
// the variable and what was expected when one is wrong.
import { InputError } from '@hat/task-runtime';
import { PROVIDERS, type Provider, type VerifierConfig } from './verify.ts';

export interface VerifierSettings {
  readonly config: VerifierConfig;
  /** The webhook secret's file (the Secret mounted as a volume; read on every delivery, so a rotation applies). */
  readonly secretFile: string;
  /** 0: any free port (tests); the URL is in the first log line. */
  readonly port: number;
  readonly host: string;
}

export const ENV = {
  provider: 'HAT_WEBHOOK_PROVIDER',
  eventTypes: 'HAT_WEBHOOK_EVENT_TYPES',
  tokenHeader: 'HAT_WEBHOOK_TOKEN_HEADER',
  tokenPrefix: 'HAT_WEBHOOK_TOKEN_PREFIX',
  secretFile: 'HAT_WEBHOOK_SECRET_FILE',
  secretRef: 'HAT_WEBHOOK_SECRET_REF',
  port: 'HAT_WEBHOOK_PORT',
  host: 'HAT_WEBHOOK_HOST',
} as const;

export function verifierSettings(env: NodeJS.ProcessEnv): VerifierSettings {
  const provider = env[ENV.provider] ?? '';
  if (!(PROVIDERS as readonly string[]).includes(provider)) throw new InputError(`${ENV.provider}: expected one of ${PROVIDERS.join(', ')}, got ${JSON.stringify(provider)}`);
  let eventTypes: unknown;
  try {
    eventTypes = JSON.parse(env[ENV.eventTypes] ?? '');
  } catch {
    eventTypes = undefined;
  }
  if (!Array.isArray(eventTypes) || eventTypes.length === 0 || !eventTypes.every((t) => typeof t === 'string' && t !== '')) {
    throw new InputError(`${ENV.eventTypes}: expected a JSON array of event type names, e.g. ["push"], got ${JSON.stringify(env[ENV.eventTypes] ?? '')}`);
  }
  const tokenHeader = env[ENV.tokenHeader] || 'Authorization';
  if (!/^[A-Za-z0-9-]+$/.test(tokenHeader)) throw new InputError(`${ENV.tokenHeader}: expected an HTTP header name, got ${JSON.stringify(tokenHeader)}`);
  const secretFile = env[ENV.secretFile] ?? '';
  if (!secretFile.startsWith('/')) throw new InputError(`${ENV.secretFile}: expected the absolute path of the mounted webhook secret, got ${JSON.stringify(secretFile)}`);
  const secretRef = env[ENV.secretRef] || secretFile;
  const portText = env[ENV.port] || '8080';
  const port = Number(portText);
  if (!/^[0-9]+$/.test(portText) || port > 65535) throw new InputError(`${ENV.port}: expected a TCP port (0-65535; 0: any free one), got ${JSON.stringify(portText)}`);
  const host = env[ENV.host] || '0.0.0.0';
  if (!/^[0-9.]+$|^[0-9a-f:]+$/i.test(host)) throw new InputError(`${ENV.host}: expected an IP address to listen on, got ${JSON.stringify(host)}`);
  return { config: { provider: provider as Provider, eventTypes: eventTypes as string[], tokenHeader, tokenPrefix: env[ENV.tokenPrefix] ?? '', secretRef }, secretFile, port, host };
}
