// Finds the system programs the stack runs; sbin is often not on a non-root PATH.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const EXTRA_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const found = new Map<string, string>();

export function findBinary(name: string): string {
  const cached = found.get(name);
  if (cached !== undefined) return cached;
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      found.set(name, candidate);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} not found on PATH or in ${EXTRA_DIRS.join(', ')} (run scripts/setup.sh)`);
}
