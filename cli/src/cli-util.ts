import { InputError } from '@hat/task-runtime';

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
