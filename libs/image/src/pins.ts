// The pinned inputs of the task images, read from scripts/versions.env (shared with scripts/setup.sh).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@hat/task-runner';

export interface Pins {
  readonly helmVersion: string;
  readonly goToolchain: string;
  readonly nodeVersion: string;
  readonly nodeIntegrity: string;
  readonly debianSuite: string;
}

export const VERSIONS_FILE = path.join(repoRoot, 'scripts', 'versions.env');

/** KEY=VALUE lines; comments and blank lines ignored. */
export function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

export function readPins(file = VERSIONS_FILE): Pins {
  const env = parseEnvFile(readFileSync(file, 'utf8'));
  const need = (key: string): string => {
    const value = env.get(key);
    if (!value) throw new Error(`${file}: ${key} is not set`);
    return value;
  };
  return {
    helmVersion: need('HELM_VERSION'),
    goToolchain: need('GO_TOOLCHAIN'),
    nodeVersion: need('NODE_VERSION'),
    nodeIntegrity: need('NODE_INTEGRITY'),
    debianSuite: need('DEBIAN_SUITE'),
  };
}
