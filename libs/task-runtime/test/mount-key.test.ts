import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMountKey } from '../src/index.ts';

describe('readMountKey', () => {
  it('a key: its text without the trailing newline; absent: undefined; there but unreadable: an error naming it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-mount-'));
    try {
      await writeFile(path.join(dir, 'url'), 'https://git.example.com/x.git\n');
      expect(await readMountKey(dir, 'url')).toBe('https://git.example.com/x.git');
      expect(await readMountKey(dir, 'nope')).toBeUndefined();
      expect(await readMountKey(undefined, 'url')).toBeUndefined();
      // A key that cannot be read as a file (here a folder; in a pod, a mode the step's user may not read).
      await mkdir(path.join(dir, 'signing-key'));
      await expect(readMountKey(dir, 'signing-key')).rejects.toThrow(new RegExp(`^key signing-key of the mounted ${dir} cannot be read \\(EISDIR\\): mount it readable by the step's user`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
