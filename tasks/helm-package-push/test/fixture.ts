// Test fixtures: an app workspace with a `helm create` chart, a real registry, and task runs.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { onTestFinished } from 'vitest';
import { runTaskLocally, type LocalRunResult } from '@hat/task-runner';
import { devImage, renderTaskObject } from '@hat/task-spec';
import type { RegistryInfo } from '../../../test/stack/index.ts';
import { definition } from '../src/task.ts';

export const task = renderTaskObject(definition, { version: 'dev', image: devImage(definition.program) });

export async function tempDir(prefix = 'hat-hpp-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A workspace holding `helm create <name>` at chart/ (or `at`). */
export async function appWorkspace(name: string, at = 'chart'): Promise<{ source: string; chartDir: string }> {
  const source = await tempDir('hat-hpp-src-');
  const chartDir = path.join(source, at);
  await mkdir(path.dirname(chartDir), { recursive: true });
  await execa('helm', ['create', chartDir], { env: { HELM_CONFIG_HOME: path.join(source, '.h'), HELM_DATA_HOME: path.join(source, '.h'), HELM_CACHE_HOME: path.join(source, '.h') } });
  await rm(path.join(source, '.h'), { recursive: true, force: true });
  // helm create names the chart after the directory; keep the requested name.
  const chartYaml = path.join(chartDir, 'Chart.yaml');
  await writeFile(chartYaml, (await readFile(chartYaml, 'utf8')).replace(/^name: .*$/m, `name: ${name}`));
  return { source, chartDir };
}

/** A dir holding the Secret's keys as files, the way Kubernetes mounts hat-chart-registry. */
export async function secretDir(username: string, password: string): Promise<string> {
  const dir = await tempDir('hat-hpp-secret-');
  await writeFile(path.join(dir, 'username'), username);
  await writeFile(path.join(dir, 'password'), `${password}\n`);
  return dir;
}

export interface PushRun {
  source: string;
  registry: Pick<RegistryInfo, 'host' | 'username' | 'password'>;
  version: string;
  params?: Record<string, string>;
  /** Override the mounted credentials; null mounts none. */
  credentials?: { username: string; password: string } | null;
}

export async function runPush(opts: PushRun): Promise<LocalRunResult> {
  const creds = opts.credentials === undefined ? opts.registry : opts.credentials;
  const mounts = creds === null ? {} : { 'hat-chart-registry': await secretDir(creds.username, creds.password) };
  return runTaskLocally({
    task,
    params: {
      version: opts.version,
      'chart-repository': `oci://${opts.registry.host}/charts`,
      'insecure-plain-http': 'true',
      ...opts.params,
    },
    workspaces: { source: opts.source },
    mounts,
  });
}
