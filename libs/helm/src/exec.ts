import { CommandError, mask, oneLine, run, type Logger, type RunOutput } from '@hat/task-runtime';
import { classifyHelmError, HelmError, helmReason } from './errors.ts';
import { createHelmHome, type HelmHome } from './home.ts';

/** Options every helm call takes. */
export interface HelmOptions {
  /** The private home to run in (shares a registry login between calls); a fresh one per call when absent. */
  readonly home?: HelmHome;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  /** Gets the helm version once per process, then nothing (callers log their own actions). */
  readonly log?: Logger;
  readonly timeoutMs?: number;
}

export interface ExecHelmOptions extends HelmOptions {
  readonly input?: string;
  /** Names the operation in errors, e.g. `helm push of oci://…/app:1.2.3`. */
  readonly what?: string;
  /** Map registry failures to HelmAuthError / HelmNotFoundError / TransientError. */
  readonly classify?: boolean;
  /** Return a failed run's output instead of throwing (the caller reads exitCode). */
  readonly allowFailure?: boolean;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
let versionLogged: Promise<void> | undefined;

const tail = (text: string, lines = 20): string => text.trim().split('\n').slice(-lines).join('\n');

/** Runs `helm <args>` in an isolated home; a failure becomes a HelmError (or a classified error). */
export async function execHelm(args: readonly string[], opts: ExecHelmOptions = {}): Promise<RunOutput> {
  if (opts.log) {
    const log = opts.log;
    versionLogged ??= execHelm(['version', '--template', '{{.Version}} ({{.GoVersion}})']).then(
      (out) => log.info(`helm ${out.stdout.trim()}`),
      (err: unknown) => log.warn(`helm version: ${err instanceof Error ? err.message : String(err)}`),
    );
    await versionLogged;
  }
  const home = opts.home ?? (await createHelmHome());
  const command = `helm ${args[0] === 'registry' || args[0] === 'dependency' || args[0] === 'show' ? args.slice(0, 2).join(' ') : (args[0] ?? '')}`;
  try {
    let out: RunOutput;
    try {
      out = await run('helm', args, {
        env: { ...home.env, HELM_DEBUG: 'false' },
        okExitCodes: [1],
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
        ...(opts.input !== undefined ? { input: opts.input } : {}),
        ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
      });
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      out = { stdout: '', stderr: err.stderrTail || err.message, exitCode: err.commandExitCode ?? -1 };
    }
    if (out.exitCode === 0 || opts.allowFailure) return out;
    const stderr = mask(tail(out.stderr || out.stdout));
    const what = opts.what ?? command;
    const error = new HelmError(`${what} failed: ${oneLine(helmReason(stderr)) || `exit ${out.exitCode}`}`, command, out.exitCode, stderr);
    throw opts.classify ? classifyHelmError(error, what) : error;
  } finally {
    if (opts.home === undefined) await home.dispose();
  }
}
