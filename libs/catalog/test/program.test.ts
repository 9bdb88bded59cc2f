import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programDigest } from '../src/program.ts';

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'hat-program-test-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** A program's dist/ with these files; its entry's path. */
async function program(name: string, files: Record<string, string>): Promise<string> {
  const dist = path.join(work, name);
  for (const [f, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dist, f)), { recursive: true });
    await writeFile(path.join(dist, f), text);
  }
  return path.join(dist, 'task.mjs');
}

const ENTRY = 'import{a}from"./chunks/chunk-AAAA.mjs";a();import("./chunks/lander-BBBB.mjs");\n';

describe('a program\'s digest (hat.dev/program-digest)', () => {
  it('is the digest of task.mjs when that file is the whole program, as published versions recorded it', async () => {
    expect(await programDigest(await program('one', { 'task.mjs': 'console.log(1);\n' }))).toBe(sha('console.log(1);\n'));
  });

  it('covers every chunk the entry reaches, statically or when needed, and only those', async () => {
    const files = { 'task.mjs': ENTRY, 'chunks/chunk-AAAA.mjs': 'export const a=()=>1;\n', 'chunks/lander-BBBB.mjs': 'import{a}from"./chunk-AAAA.mjs";a();\n' };
    const base = await programDigest(await program('split', files));
    expect(base).not.toBe(sha(ENTRY));
    // A chunk nothing reaches (left by an earlier build) changes nothing; a changed chunk that is reached does.
    expect(await programDigest(await program('stale', { ...files, 'chunks/old-CCCC.mjs': 'old\n' }))).toBe(base);
    expect(await programDigest(await program('changed', { ...files, 'chunks/lander-BBBB.mjs': 'import{a}from"./chunk-AAAA.mjs";a();a();\n' }))).not.toBe(base);
  });
});
