import { InputError } from '@hat/task-runtime';

/** Comma-separated items, trimmed, empty ones dropped. */
export const parseList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Build args as `KEY=VALUE` items: one per line when the text has several lines (values may hold commas then),
 * else comma-separated. Values may hold `=`.
 */
export function parseBuildArgs(text: string | undefined): Array<readonly [string, string]> {
  if (!text || text.trim() === '') return [];
  const items = text.includes('\n') ? text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '') : parseList(text);
  return items.map((item) => {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (eq < 0 || !ARG_NAME.test(key)) throw new InputError(`bad input: param build-args: expected KEY=VALUE items, got ${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}`);
    return [key, item.slice(eq + 1)] as const;
  });
}
