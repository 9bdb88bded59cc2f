import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBundle, programFiles } from '@hat/task-runner';

/** The files a start of the program compiles: the entry and the chunks it imports statically (not `import()`). */
async function loadedAtStart(entry: string): Promise<string[]> {
  const dist = path.dirname(entry);
  const seen = new Set<string>(['task.mjs']);
  const visit = async (file: string) => {
    const text = await readFile(path.join(dist, file), 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*["']\.\/(?:chunks\/)?([\w-]+\.mjs)["']/g)) {
      const chunk = `chunks/${m[1]}`;
      if (!seen.has(chunk)) {
        seen.add(chunk);
        await visit(chunk);
      }
    }
  };
  await visit('task.mjs');
  return [...seen];
}

const bytes = async (dist: string, files: readonly string[]) => (await Promise.all(files.map(async (f) => (await stat(path.join(dist, f))).size))).reduce((a, b) => a + b, 0);

describe('the deploy program\'s start', () => {
  it('compiles its entry and a few small chunks; the lander (git, Helm, forge), execa and wait-for-sync\'s client-node load only when needed', async () => {
    const entry = await ensureBundle('deploy');
    const dist = path.dirname(entry);
    const all = await programFiles(entry);
    const atStart = await loadedAtStart(entry);
    // 32 runs filing their requests at once each pay this much parse (bench/promote); the whole program is over 1 MB.
    expect(await bytes(dist, atStart)).toBeLessThan(150_000);
    expect(await bytes(dist, all)).toBeGreaterThan(1_000_000);
    for (const lazy of ['push', 'execa', 'cluster-wait']) {
      expect(all.some((f) => f.startsWith(`chunks/${lazy}-`))).toBe(true);
      expect(atStart.some((f) => f.startsWith(`chunks/${lazy}-`))).toBe(false);
    }
  });
});
