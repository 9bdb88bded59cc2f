import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { readPins, reproducibleTar } from '@hat/image';
import { parseEnvFile } from '../src/pins.ts';
import { debianMirror } from '../src/debian-mirror.ts';
import { npmIntegrity } from '../src/node-binary.ts';
import { cachedEntry, inputKey } from '../src/user-cache.ts';

const dirs: string[] = [];
const temp = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-image-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the base recipe', () => {
  it('reads every pin from scripts/versions.env', () => {
    const pins = readPins();
    expect(pins.helmVersion).toMatch(/^v3\.\d+\.\d+$/);
    expect(pins.nodeVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pins.nodeIntegrity).toMatch(/^sha512-[A-Za-z0-9+/]+=*$/);
    expect(pins.goToolchain).toMatch(/^go\d+\.\d+\.\d+$/);
    expect(pins.debianSuite).toBe('bookworm');
  });

  it('parses KEY=VALUE lines and ignores comments', () => {
    expect([...parseEnvFile('# c\nA=1\n\nB=x=y\n  # d\n')]).toEqual([['A', '1'], ['B', 'x=y']]);
  });

  it("npm's integrity is the sha512 of the bytes, base64", () => {
    expect(npmIntegrity(Buffer.from('abc'))).toBe('sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==');
  });

  it('keys cache entries by their inputs', () => {
    expect(inputKey({ a: 1 })).toBe(inputKey({ a: 1 }));
    expect(inputKey({ a: 1 })).not.toBe(inputKey({ a: 2 }));
  });

  it('packs a folder to the same tar bytes whatever its times, in sorted order, with numeric owners', async () => {
    const tars: Buffer[] = [];
    for (const stamp of ['200001010000', '202401010000']) {
      const dir = await temp();
      await mkdir(path.join(dir, 'b'));
      await writeFile(path.join(dir, 'b', 'z'), 'z');
      await writeFile(path.join(dir, 'a'), 'a');
      await symlink('a', path.join(dir, 'link'));
      await execa('touch', ['-h', '-t', stamp, path.join(dir, 'a'), path.join(dir, 'b'), path.join(dir, 'link')]);
      const out = path.join(await temp(), 'out.tar');
      await reproducibleTar(dir, out);
      tars.push(await readFile(out));
    }
    expect(tars[0]!.equals(tars[1]!)).toBe(true);
    const names = await execa('tar', ['-tf', '-'], { input: tars[0]! });
    expect(names.stdout.split('\n')).toEqual(['./', './a', './b/', './b/z', './link']);
    const { stdout } = await execa('tar', ['-tvf', '-', '--numeric-owner'], { input: tars[0]! });
    expect(stdout).toContain('0/0');
    expect(stdout).toContain('1970-01-01');
  });

  it('writes a cache entry once, atomically: a failed build leaves nothing, a finished one is reused', async () => {
    const cache = await temp();
    await expect(cachedEntry('x/entry', async (tmp) => { await writeFile(tmp, 'half'); throw new Error('boom'); }, cache)).rejects.toThrow('boom');
    let builds = 0;
    const build = async (tmp: string): Promise<void> => { builds++; await writeFile(tmp, 'done'); };
    const first = await cachedEntry('x/entry', build, cache);
    const second = await cachedEntry('x/entry', build, cache);
    expect([first.built, second.built, builds]).toEqual([true, false, 1]);
    expect(await readFile(second.path, 'utf8')).toBe('done');
  });
});

describe("the Debian mirror: apt's own source", () => {
  it('reads deb822 .sources and one-line sources.list entries, and picks the one serving <suite> main', async () => {
    const apt = await temp();
    await mkdir(path.join(apt, 'sources.list.d'));
    await writeFile(path.join(apt, 'sources.list'), '# none here\ndeb-src http://src.example.org/debian bookworm main\n');
    await writeFile(
      path.join(apt, 'sources.list.d', 'debian.sources'),
      'Types: deb\nURIs: http://mirror.example.org/debian-security\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nURIs: http://mirror.example.org/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n',
    );
    await writeFile(path.join(apt, 'sources.list.d', 'other.list'), 'deb [arch=amd64] http://other.example.org/apt stable main\n');
    expect(await debianMirror('bookworm', apt)).toBe('http://mirror.example.org/debian');
    await expect(debianMirror('trixie', apt)).rejects.toThrow(/no apt source for Debian trixie main/);
  });
});
