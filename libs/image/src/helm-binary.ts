// The helm shipped in task images is the one scripts/setup.sh builds into .tools/bin: the pinned version, static
// (CGO_ENABLED=0), -trimpath, with the pinned Go toolchain, so it runs on any glibc and rebuilds to the same bytes.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { toolsBin } from '@hat/task-runner';
import { HatError, run } from '@hat/task-runtime';
import type { Pins } from './pins.ts';

/** A dynamically linked ELF names its loader (PT_INTERP), e.g. /lib64/ld-linux-x86-64.so.2. */
const isStatic = (bytes: Buffer): boolean => !bytes.subarray(0, 64 * 1024).includes('/ld-linux');

export async function helmBinary(pins: Pins, file = path.join(toolsBin, 'helm')): Promise<string> {
  const bytes = await readFile(file).catch(() => undefined);
  if (!bytes) throw new HatError(`${file} is missing: run scripts/setup.sh (it builds the pinned helm)`);
  const { stdout } = await run(file, ['version', '--template', '{{.Version}}']);
  if (stdout.trim() !== pins.helmVersion) throw new HatError(`${file} is helm ${stdout.trim()}, scripts/versions.env pins ${pins.helmVersion}: run scripts/setup.sh`);
  if (!isStatic(bytes)) throw new HatError(`${file} is dynamically linked: run scripts/setup.sh (task images need the static build)`);
  return file;
}
