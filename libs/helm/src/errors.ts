import { CommandError, HatError, InputError, TransientError } from '@hat/task-runtime';

/** helm exited non-zero: keeps the command (`helm push`), exit code and masked stderr tail. */
export class HelmError extends CommandError {}

/** The registry refused the credentials (or gave none); never retried. */
export class HelmAuthError extends HatError {
  override readonly name = 'HelmAuthError';
}

/** The chart, version or repository does not exist in the registry. */
export class HelmNotFoundError extends HatError {
  override readonly name = 'HelmNotFoundError';
}

/** `helm lint` found errors; `messages` are its [ERROR]/[WARNING] lines. */
export class HelmLintError extends InputError {
  constructor(
    message: string,
    readonly messages: readonly string[],
  ) {
    super(message);
  }
}

/** A chart directory or Chart.yaml that helm cannot use. */
export class InvalidChartError extends InputError {}

const AUTH = /\b40[13]\b|unauthorized|authentication required|basic credential not found|credential.*(required|not found)|access.*denied|denied:/i;
const UNREACHABLE =
  /connection refused|no such host|i\/o timeout|timeout|deadline exceeded|connection reset|broken pipe|\bEOF\b|server misbehaving|network is unreachable|TLS handshake|\b50[0234]\b|too many requests|\b429\b/i;
const NOT_FOUND = /: not found\b|\bnot found\b.*manifest|manifest unknown|name unknown|\b404\b/i;

/** The first line of helm's error output that names the cause, without helm's `Error: ` prefix. */
export function helmReason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const error = lines.filter((l) => l.startsWith('Error:')).pop() ?? lines.pop() ?? '';
  return error.replace(/^Error:\s*/, '').slice(0, 300);
}

/** Maps a failed helm call to what the caller acts on: auth (stop), unreachable (retry), not found, or the HelmError. */
export function classifyHelmError(err: HelmError, what: string): HatError {
  const reason = helmReason(err.stderrTail);
  if (AUTH.test(reason)) return new HelmAuthError(`${what}: authentication refused (${reason})`, { cause: err });
  if (NOT_FOUND.test(reason)) return new HelmNotFoundError(`${what}: not found (${reason})`, { cause: err });
  if (UNREACHABLE.test(reason)) return new TransientError(`${what}: registry unreachable (${reason})`, { cause: err });
  return err;
}
