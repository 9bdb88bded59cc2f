// A `hat cluster up` cluster in a temp state dir for a test file: started in beforeAll, taken down in afterAll, and
// also when the run is interrupted (Ctrl-C, SIGTERM) or exits early: then synchronously, with `hat cluster down`.
// A run killed outright (vitest kills its workers with SIGKILL) leaves a marker; the next run takes that cluster down.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { clusterDown, clusterLayout, clusterUp, loadKubeconfig, type ClusterLayout } from '@hat/cluster';
import { repoRoot } from '@hat/task-runner';
import type { Logger } from '@hat/task-runtime';
import { onProcessExit } from '../stack/src/exit-cleanup.ts';

export interface TestCluster {
  readonly layout: ClusterLayout;
  readonly config: KubeConfig;
  stop(): Promise<void>;
}

/** Which test run owns the test cluster: a run killed outright (SIGKILL) leaves it, and the next run takes it down. */
const MARKER = path.join(os.tmpdir(), 'hat-test-cluster.json');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function downStale(log: Logger): Promise<void> {
  const stale = JSON.parse(await readFile(MARKER, 'utf8').catch(() => 'null')) as { pid: number; dir: string } | null;
  if (!stale) return;
  if (alive(stale.pid)) throw new Error(`another test run (pid ${stale.pid}) has a cluster up in ${stale.dir}; one cluster per machine`);
  if (existsSync(stale.dir)) {
    log.info(`taking down the cluster a killed test run left in ${stale.dir}`);
    await clusterDown({ log, layout: clusterLayout(stale.dir) });
  }
  await rm(MARKER, { force: true });
}

export async function startTestCluster(log: Logger): Promise<TestCluster> {
  await downStale(log);
  const layout = clusterLayout(await mkdtemp(path.join(os.tmpdir(), 'hat-cluster-')));
  await writeFile(MARKER, JSON.stringify({ pid: process.pid, dir: layout.dir }));
  const forget = onProcessExit(() => {
    spawnSync(process.execPath, [path.join(repoRoot, 'cli', 'bin', 'hat.mjs'), 'cluster', 'down'], { env: { ...process.env, HAT_CLUSTER_DIR: layout.dir }, stdio: 'inherit', timeout: 120_000 });
  });
  const stop = async (): Promise<void> => {
    await clusterDown({ log, layout });
    forget();
    await rm(MARKER, { force: true });
  };
  try {
    await clusterUp({ log, layout });
  } catch (err) {
    await stop();
    throw err;
  }
  return { layout, config: loadKubeconfig(layout.adminKubeconfig), stop };
}
