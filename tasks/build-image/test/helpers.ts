// Shared set-up of the build-image tests: tiny FROM-scratch fixtures (a static busybox, ~2 MB) and a way to run
// the Task the way users do (its rendered YAML through the local runner).
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { runTaskLocally, type LocalRunResult } from '@hat/task-runner';
import { devImage, renderTaskObject } from '@hat/task-spec';
import type { RegistryInfo } from '../../../test/stack/index.ts';
import { definition } from '../src/task.ts';

/** Debian's busybox-static (scripts/setup.sh installs it). */
export const BUSYBOX = '/bin/busybox';

export const task = renderTaskObject(definition, { version: 'dev', image: devImage(definition.program) });

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A source workspace: files by path (busybox copied in where the value is BUSYBOX). */
export async function sourceWorkspace(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('hat-build-src-');
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    await mkdir(path.dirname(target), { recursive: true });
    if (content === BUSYBOX) await copyFile(BUSYBOX, target);
    else await writeFile(target, content);
  }
  return dir;
}

/** The fixture app: busybox plus one RUN step that writes a file. */
export const APP_CONTAINERFILE = [
  'FROM scratch',
  'COPY busybox /bin/busybox',
  'RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /app && echo hello > /app/hello.txt"]',
  'CMD ["/bin/busybox", "cat", "/app/hello.txt"]',
  '',
].join('\n');

/** A dockerconfig workspace holding a kubernetes.io/dockerconfigjson Secret's key. */
export async function dockerconfigWorkspace(registry: Pick<RegistryInfo, 'host' | 'username'>, password: string): Promise<string> {
  const dir = await tempDir('hat-dockerconfig-');
  const auth = Buffer.from(`${registry.username}:${password}`).toString('base64');
  await writeFile(path.join(dir, '.dockerconfigjson'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
  return dir;
}

export function build(params: Record<string, string>, workspaces: Record<string, string>): Promise<LocalRunResult> {
  return runTaskLocally({ task, params, workspaces });
}
