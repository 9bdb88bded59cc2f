// npm test (scripts/test.mjs): a plain closing line CI reads, and no colour codes when the output is not a terminal.
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@hat/task-runner';

describe('scripts/test.mjs', () => {
  it('under CI=true with its output in a pipe, prints no colour codes and closes with "N passed, N failed"', async () => {
    const r = await execa(process.execPath, [path.join(repoRoot, 'scripts', 'test.mjs'), '--config', 'cli/test/fixtures/plain-log/vitest.config.ts'], {
      cwd: repoRoot,
      env: { CI: 'true', FORCE_COLOR: '1' },
      all: true,
      reject: false,
    });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).not.toMatch(/\x1b\[/);
    expect(r.all.trimEnd().split('\n').at(-1)).toBe('1 passed, 0 failed, 0 skipped');
  });
});
