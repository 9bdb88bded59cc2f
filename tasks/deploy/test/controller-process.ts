// The deploy controller as a process (no vitest here: bench/promote runs it too).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { deployControllerObjects, type TaskObject } from '@hat/cluster';
import { devImage, renderTaskObject } from '@hat/task-spec';
import { ensureBundle } from '@hat/task-runner';
import { deployTask, type Environment } from '@hat/task-deploy';

export interface DeployController {
  /** Its log lines so far. */
  readonly lines: string[];
  /** SIGTERM, then its exit code (runs in flight complete first). */
  stop(): Promise<number>;
}

/**
 * The env's deploy controller as its Deployment runs it (deployControllerObjects: the Task's env and mounts,
 * HAT_SERVE=custom-runs), as a process here: the mounts are `objects`' folders, `stepEnv` its service account.
 * Resolves once it serves, or fails with its log after 30 s.
 */
export async function startDeployController(env: Environment, objects: { config: string; secret: string }, stepEnv: Record<string, string>): Promise<DeployController> {
  const task = renderTaskObject(deployTask(env), { version: 'dev', image: devImage('deploy') }) as unknown as TaskObject;
  const deployment = deployControllerObjects(task, { namespace: 'default', argocdNamespace: 'argocd' }).find((o) => o.kind === 'Deployment') as unknown as {
    spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }>; volumeMounts: Array<{ name: string; mountPath: string }> }> } } };
  };
  const container = deployment.spec.template.spec.containers[0]!;
  const local: Record<string, string> = { 'gitops-config': objects.config, 'gitops-credentials': objects.secret };
  const mounted = new Map(container.volumeMounts.map((m) => [m.mountPath, local[m.name]]));
  const vars = Object.fromEntries(container.env.map((e) => [e.name, mounted.get(e.value) ?? e.value]));
  const home = await mkdtemp(path.join(os.tmpdir(), 'hat-controller-'));
  const lines: string[] = [];
  const proc = execa(process.execPath, [await ensureBundle('deploy')], { env: { PATH: process.env['PATH'] ?? '', HOME: home, ...vars, ...stepEnv }, extendEnv: false, reject: false, buffer: false, stderr: 'pipe', stdout: 'pipe' });
  let serving!: () => void;
  const ready = new Promise<void>((resolve) => (serving = resolve));
  for (const stream of [proc.stdout!, proc.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('serving the CustomRuns')) serving();
    });
  }
  const exited = proc.then((r) => r.exitCode ?? 1).finally(() => rm(home, { recursive: true, force: true }));
  const outcome = await Promise.race([ready.then(() => 'ready'), exited.then((code) => `exited with ${code}`), new Promise<string>((resolve) => setTimeout(resolve, 30_000, 'not serving after 30 s').unref())]);
  if (outcome !== 'ready') {
    proc.kill('SIGKILL');
    throw new Error(`the deploy controller of ${env}: ${outcome}:\n${lines.join('\n')}`);
  }
  return {
    lines,
    stop: async () => {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}
