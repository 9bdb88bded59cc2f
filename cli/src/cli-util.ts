import { execa } from 'execa';
import type { GitAuth, Identity } from '@hat/git';
import { InputError, registerSecret } from '@hat/task-runtime';

/** Collects repeatable `key=value` options into a record (commander's option reducer). */
export function keyValue(flag: string) {
  return (item: string, acc: Record<string, string> = {}): Record<string, string> => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InputError(`${flag} takes key=value (got ${JSON.stringify(item)})`);
    return { ...acc, [item.slice(0, eq)]: item.slice(eq + 1) };
  };
}

/** Prints a plain text table with aligned columns. */
export function formatTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** HAT_GIT_USERNAME/HAT_GIT_PASSWORD when set; otherwise git's own credential helpers decide. */
export function authFromEnv(): GitAuth {
  const password = process.env['HAT_GIT_PASSWORD'];
  if (!password) return { kind: 'none' };
  registerSecret(password);
  return { kind: 'basic', username: process.env['HAT_GIT_USERNAME'] ?? 'git', password };
}

/** The person's identity: --author "Name <email>", else GIT_AUTHOR_NAME/EMAIL, else git's user.name/user.email, else a HAT default. */
export async function authorOf(flag: string | undefined): Promise<Identity> {
  if (flag) {
    const m = /^(.+?)\s*<([^>]+)>$/.exec(flag);
    if (!m) throw new InputError(`--author takes "Name <email>" (got ${JSON.stringify(flag)})`);
    return { name: m[1]!, email: m[2]! };
  }
  const get = async (key: string): Promise<string> => (await execa('git', ['config', '--get', key], { reject: false })).stdout.trim();
  const name = process.env['GIT_AUTHOR_NAME'] || (await get('user.name')) || 'HAT deploy';
  const email = process.env['GIT_AUTHOR_EMAIL'] || (await get('user.email')) || 'hat-deploy@localhost';
  return { name, email };
}

