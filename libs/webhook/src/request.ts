// What a Tekton Triggers EventListener sends an interceptor and expects back (triggers v0.35
// pkg/apis/triggers/v1beta1 InterceptorRequest/InterceptorResponse, as JSON over HTTP POST).

export interface InterceptorRequest {
  /** The delivery's body exactly as sent (a signature is over these bytes). */
  readonly body?: string;
  /** The delivery's headers, in Go's canonical form (X-Hub-Signature-256, X-Github-Event). */
  readonly header?: Readonly<Record<string, readonly string[]>>;
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly interceptor_params?: Readonly<Record<string, unknown>>;
  readonly context?: { readonly event_url?: string; readonly event_id?: string; readonly trigger_id?: string } | null;
}

export interface InterceptorResponse {
  readonly continue: boolean;
  readonly extensions?: Record<string, unknown>;
  /** gRPC status code (9 = FailedPrecondition) and message, as Triggers' own interceptors answer. */
  readonly status?: { readonly code: number; readonly message: string };
}

export const FAILED_PRECONDITION = 9;

/** A header's first value, names compared case-insensitively (HTTP header names are). */
export function headerValue(req: InterceptorRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(req.header ?? {})) {
    if (key.toLowerCase() === wanted) return values[0];
  }
  return undefined;
}

/** Parses a POSTed body as an InterceptorRequest; undefined when it is not one. */
export function parseInterceptorRequest(text: string): InterceptorRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const req = value as InterceptorRequest;
  if (req.body !== undefined && typeof req.body !== 'string') return undefined;
  if (req.header !== undefined && (typeof req.header !== 'object' || req.header === null)) return undefined;
  return req;
}
