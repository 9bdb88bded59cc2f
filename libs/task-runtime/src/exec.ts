import { CommandError, oneLine } from './errors.ts';
import { mask } from './secrets.ts';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  readonly input?: string;
  readonly signal?: AbortSignal;
  /** Exit codes that are not failures (the caller reads exitCode). */
  readonly okExitCodes?: readonly number[];
  readonly timeoutMs?: number;
  /** Called with each line of output (stdout and stderr, secrets masked) as it comes, for long-running tools. */
  readonly onLine?: (line: string) => void;
}

export interface RunOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

const tail = (text: string, lines = 20): string => text.trim().split('\n').slice(-lines).join('\n');

/** Runs a program with an argument array (never a shell); failures become a CommandError with masked stderr. */
export async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunOutput> {
  const { onLine } = opts;
  // A line transform only watches: it yields each line unchanged, so stdout and stderr are still collected.
  const tap = onLine
    ? (function* (line: unknown) {
        onLine(mask(String(line)));
        yield line;
      })
    : undefined;
  // Loaded by the first run, not with the runtime: a program that runs no tool (a deploy that files its request in the
  // landing queue and waits) starts without it.
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    env: opts.env ?? {},
    extendEnv: true,
    reject: false,
    stripFinalNewline: true,
    ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    ...(opts.signal !== undefined ? { cancelSignal: opts.signal } : {}),
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
    ...(tap ? { stdout: tap, stderr: tap } : {}),
  });
  const exitCode = result.exitCode ?? -1;
  if (exitCode === 0 || opts.okExitCodes?.includes(exitCode)) {
    return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode };
  }
  const stderr = mask(tail(String(result.stderr) || String(result.stdout)));
  const what = `${file} ${args[0] ?? ''}`.trim();
  const reason = result.timedOut ? 'timed out' : result.isCanceled ? 'was cancelled' : `exited ${exitCode}`;
  throw new CommandError(`${what} ${reason}: ${oneLine(stderr).slice(0, 400)}`, what, result.exitCode, stderr);
}
