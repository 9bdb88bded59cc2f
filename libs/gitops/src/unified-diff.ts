// A small unified diff (LCS over lines, 3 lines of context), for logs and dry runs.

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

const NO_EOL = '\u0000'; // marks a last line without a line break, so `b` and `b\n` differ

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

/** Line ops turning a into b: common prefix/suffix trimmed, LCS in between (falls back to replace-all when huge). */
function diffLines(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const x = a.slice(pre, a.length - suf);
  const y = b.slice(pre, b.length - suf);
  const ops: Op[] = [];
  for (let i = 0; i < pre; i++) ops.push({ kind: ' ', line: a[i] ?? '', a: i, b: i });
  const n = x.length;
  const m = y.length;
  if (n * m > 4_000_000) {
    x.forEach((line, i) => ops.push({ kind: '-', line, a: pre + i, b: pre }));
    y.forEach((line, j) => ops.push({ kind: '+', line, a: pre + n, b: pre + j }));
  } else {
    // lcs[i][j] = LCS length of x[i:] and y[j:]
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      const row = lcs[i] as Uint32Array;
      const next = lcs[i + 1] as Uint32Array;
      for (let j = m - 1; j >= 0; j--) row[j] = x[i] === y[j] ? (next[j + 1] ?? 0) + 1 : Math.max(next[j] ?? 0, row[j + 1] ?? 0);
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x[i] === y[j]) {
        ops.push({ kind: ' ', line: x[i] ?? '', a: pre + i, b: pre + j });
        i++;
        j++;
      } else if (i < n && (j === m || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
        ops.push({ kind: '-', line: x[i] ?? '', a: pre + i, b: pre + j });
        i++;
      } else {
        ops.push({ kind: '+', line: y[j] ?? '', a: pre + i, b: pre + j });
        j++;
      }
    }
  }
  for (let k = 0; k < suf; k++) ops.push({ kind: ' ', line: a[a.length - suf + k] ?? '', a: a.length - suf + k, b: b.length - suf + k });
  return ops;
}

function range(start: number, count: number): string {
  // GNU diff: an empty range names the line before it; a one-line range has no count
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

/** `--- a/path` / `+++ b/path` unified diff of two texts; '' when they are equal. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = diffLines(splitLines(before), splitLines(after));
  let out = `--- a/${path}\n+++ b/${path}\n`;
  const changes = ops.map((o, i) => (o.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  let h = 0;
  while (h < changes.length) {
    let end = h;
    while (end + 1 < changes.length && (changes[end + 1] ?? 0) - (changes[end] ?? 0) <= 2 * context + 1) end++;
    const from = Math.max(0, (changes[h] ?? 0) - context);
    const to = Math.min(ops.length - 1, (changes[end] ?? 0) + context);
    const hunk = ops.slice(from, to + 1);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const first = hunk[0];
    const aStart = first === undefined ? 0 : first.a;
    const bStart = first === undefined ? 0 : first.b;
    out += `@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@\n`;
    for (const o of hunk) {
      out += o.line.endsWith(NO_EOL) ? `${o.kind}${o.line.slice(0, -1)}\n\\ No newline at end of file\n` : `${o.kind}${o.line}\n`;
    }
    h = end + 1;
  }
  return out;
}
