// A step's process: stdout and stderr interleaved by line, each line handed on as it comes; resolves to the exit
// code (never throws for a non-zero exit). The host runner and container runtimes (ctr run) share it.
import { execa } from 'execa';

export interface StepProcess {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly signal?: AbortSignal | undefined;
  readonly onLine: (line: string) => void;
}

export async function runStepProcess(file: string, args: readonly string[], opts: StepProcess): Promise<number> {
  const child = execa(file, args, {
    ...(opts.env ? { env: opts.env, extendEnv: false } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    all: true,
    reject: false,
    stdin: 'ignore',
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  child.all?.setEncoding('utf8');
  let partial = '';
  child.all?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) opts.onLine(line);
  });
  const done = await child;
  if (partial) opts.onLine(partial);
  return done.exitCode ?? 1;
}
