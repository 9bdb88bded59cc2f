import { CommandError, HatError, InputError, oneLine, TransientError } from '@hat/task-runtime';

/** The registry refused buildah's credential (push, or pulling a base image): never retried. */
export class RegistryRefusedError extends HatError {
  override readonly name = 'RegistryRefusedError';
}

const AUTH = /unauthorized|authentication required|requested access to the resource is denied|denied: |status 40[13]|401 Unauthorized|403 Forbidden|invalid username\/password/i;
const PLAIN_HTTP = /server gave HTTP response to HTTPS client/i;
const TLS = /x509:|certificate (is not|signed by unknown)|tls: /i;
const TRANSIENT =
  /connection refused|connection reset|i\/o timeout|TLS handshake timeout|no such host|server misbehaving|network is unreachable|unexpected EOF|50[0234] |Bad Gateway|Service Unavailable|Gateway Time-?out|too many requests|429/i;
const NOISE = /^(subprocess exited with status \d+|time="[^"]*" level=(debug|info|warning).*|Getting image source signatures|Copying (blob|config) .*|Writing manifest.*|Storing signatures)$/;

/** buildah's own `Error: …` line, `Error: ` and Go's `error …:` wrappers trimmed. */
export function buildahMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const error = [...lines].reverse().find((l) => /^(Error|error):? /.test(l) || /level=(error|fatal)/.test(l)) ?? lines.at(-1) ?? '';
  return oneLine(error.replace(/^time="[^"]*" level=\w+ msg="(.*)"$/, '$1').replace(/^Error:\s*/, '').replace(/^error\s+/, ''));
}

/**
 * The build step's own last output (what the failing RUN printed): buildah's stderr without its error lines and
 * noise. The step's output reaches buildah's stderr through another pipe than buildah's own error, so it may come
 * before or after the `Error:` line; both count.
 */
export function lastOutput(stderr: string, lines = 3): string {
  const own = (l: string): boolean => /^(Error|error):? /.test(l) || /level=(error|fatal)/.test(l);
  const all = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !NOISE.test(l) && !own(l));
  return oneLine(all.slice(-lines).join(' | '));
}

/** Turns a failed `buildah push` into the error the task reports (and retries, when transient). */
export function classifyPush(err: unknown, target: string, registry: string): unknown {
  if (!(err instanceof CommandError)) return err;
  const text = err.stderrTail;
  const why = buildahMessage(text).slice(0, 300);
  if (AUTH.test(text)) return new RegistryRefusedError(`push of ${target} refused by ${registry}: authentication failed (${why})`);
  if (PLAIN_HTTP.test(text)) return new InputError(`registry ${registry} serves plain HTTP, not https: set tls-verify to "false" to push to it`);
  if (TLS.test(text)) return new HatError(`push of ${target}: TLS to ${registry} failed (${why}); trust its CA in the image, or set tls-verify to "false"`);
  if (TRANSIENT.test(text)) return new TransientError(`push of ${target}: registry ${registry} unreachable (${why})`);
  return new HatError(`push of ${target} failed: ${why}`, { cause: err });
}

/** Turns a failed `buildah bud` into one line: buildah's message and what the failing step printed last. */
export function classifyBuild(err: unknown, containerfile: string): unknown {
  if (!(err instanceof CommandError)) return err;
  const text = err.stderrTail;
  const why = buildahMessage(text).slice(0, 300);
  if (/(pulling|reading|initializing source|fetching).*(unauthorized|authentication required|denied)/i.test(text) || (AUTH.test(text) && /FROM|pull|source image/i.test(text))) {
    return new RegistryRefusedError(`build of ${containerfile}: pulling a base image was refused: ${why}`);
  }
  if (PLAIN_HTTP.test(text)) return new InputError(`build of ${containerfile}: a base image registry serves plain HTTP, not https: set tls-verify to "false"`);
  if (TRANSIENT.test(text) && /pull|source image|FROM/i.test(text)) return new TransientError(`build of ${containerfile}: a base image registry is unreachable (${why})`);
  const output = lastOutput(text);
  return new HatError(`build of ${containerfile} failed: ${why}${output ? ` (last output: ${output.slice(0, 200)})` : ''}`, { cause: err });
}
