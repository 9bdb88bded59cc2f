/** Typed errors; only the runtime maps them to exit codes (0 done, 1 failed, 2 bad input). */
export class HatError extends Error {
  readonly exitCode: number = 1;
  override readonly name: string = 'HatError';
}

/** Bad input from the caller (params, CLI args). Never retried; exit 2. */
export class InputError extends HatError {
  override readonly exitCode = 2;
  override readonly name = 'InputError';
}

/** A push or write that lost a race; callers re-apply and retry. */
export class ConflictError extends HatError {
  override readonly name = 'ConflictError';
}

/** A failure worth retrying (server down, 5xx, timeout). */
export class TransientError extends HatError {
  override readonly name: string = 'TransientError';
}

/**
 * Nothing listens at the address (connection refused): retried once, shortly (a server restarting), not like a
 * timeout or a 5xx. `reason` is the message without the target, for logs that name the target once.
 */
export class RefusedError extends TransientError {
  override readonly name = 'RefusedError';
}

/** How often a refused connection is tried in all (REFUSED_ATTEMPTS) before giving up. */
export const REFUSED_ATTEMPTS = 2;

/** An external command failed; keeps the command, exit code and stderr tail (secrets already masked). */
export class CommandError extends HatError {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    readonly command: string,
    readonly commandExitCode: number | undefined,
    readonly stderrTail: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const exitCodeOf = (err: unknown): number => (err instanceof HatError ? err.exitCode : 1);

/** One line: the first line of the message, whitespace folded. */
export const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();
