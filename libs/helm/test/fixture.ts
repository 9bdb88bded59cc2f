import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { onTestFinished } from 'vitest';

export async function tempDir(prefix = 'hat-helm-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `helm create <name>` in a temp dir (helm's own homes pointed into it). */
export async function createChart(name: string): Promise<string> {
  const dir = await tempDir();
  const h = path.join(dir, '.helm');
  await execa('helm', ['create', path.join(dir, name)], { env: { HELM_CONFIG_HOME: h, HELM_DATA_HOME: h, HELM_CACHE_HOME: h } });
  return path.join(dir, name);
}
