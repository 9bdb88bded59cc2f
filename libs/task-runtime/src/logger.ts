import { mask } from './secrets.ts';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Runs fn and logs `message (N ms)` when it ends (message may read the value), or `… failed (N ms)`. */
  time<T>(message: string | ((value: T) => string), fn: () => Promise<T>): Promise<T>;
}

export interface LoggerOptions {
  readonly write?: (line: string) => void;
  readonly prefix?: string;
}

/** Logs for people: one line per meaningful action, with durations, secrets masked. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const prefix = opts.prefix ? `[${opts.prefix}] ` : '';
  const emit = (message: string): void => write(mask(`${prefix}${message}`));
  return {
    info: emit,
    warn: (message) => emit(`warning: ${message}`),
    async time(message, fn) {
      const started = performance.now();
      try {
        const value = await fn();
        emit(`${typeof message === 'string' ? message : message(value)} (${Math.round(performance.now() - started)} ms)`);
        return value;
      } catch (err) {
        if (typeof message === 'string') emit(`${message} failed (${Math.round(performance.now() - started)} ms)`);
        throw err;
      }
    },
  };
}
