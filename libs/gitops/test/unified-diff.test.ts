import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../src/index.ts';

/** GNU diff -u's hunks (headers dropped), or '' when equal. */
function gnuDiff(before: string, after: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hat-diff-'));
  try {
    writeFileSync(path.join(dir, 'a'), before);
    writeFileSync(path.join(dir, 'b'), after);
    try {
      execFileSync('diff', ['-u', 'a', 'b'], { cwd: dir, encoding: 'utf8' });
      return '';
    } catch (err) {
      const out = (err as { stdout: string }).stdout;
      return out.split('\n').slice(2).join('\n');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Applies our diff with GNU patch and returns the result. */
function patched(before: string, diff: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hat-patch-'));
  try {
    writeFileSync(path.join(dir, 'f'), before);
    writeFileSync(path.join(dir, 'd'), diff);
    execFileSync('patch', ['-s', '--no-backup-if-mismatch', 'f', 'd'], { cwd: dir, encoding: 'utf8' });
    return readFileSync(path.join(dir, 'f'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hunks = (d: string): string => d.split('\n').slice(2).join('\n');

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('x', 'a\n', 'a\n')).toBe('');
  });

  it('writes headers and a one-line change with 3 lines of context', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    const after = 'a\nb\nc\nd\nE\nf\ng\nh\n';
    expect(unifiedDiff('apps/x/values.yaml', before, after)).toBe('--- a/apps/x/values.yaml\n+++ b/apps/x/values.yaml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n');
  });

  it.each([
    ['insert at end without newline', 'a\nb', 'a\nb\nc'],
    ['insert into empty', '', 'x: 1\n'],
    ['delete all', 'x\ny\n', ''],
    ['two distant hunks', 'l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\n', 'L1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nL12\n'],
    ['CRLF', 'a: 1\r\nb: 2\r\n', 'a: 1\r\nb: 3\r\n'],
  ])('matches GNU diff -u: %s', (_n, before, after) => {
    expect(hunks(unifiedDiff('f', before, after))).toBe(gnuDiff(before, after));
  });

  it('produces patches that GNU patch applies exactly (random edits)', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'key: 1', '', '  - x'), { maxLength: 25 });
    fc.assert(
      fc.property(lines, lines, fc.boolean(), fc.boolean(), (x, y, nx, ny) => {
        const before = x.join('\n') + (nx && x.length > 0 ? '' : x.length > 0 ? '\n' : '');
        const after = y.join('\n') + (ny && y.length > 0 ? '' : y.length > 0 ? '\n' : '');
        const d = unifiedDiff('f', before, after);
        if (before === after) expect(d).toBe('');
        else expect(patched(before, d)).toBe(after);
      }),
      { numRuns: 150 },
    );
  });
});
