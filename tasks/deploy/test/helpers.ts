import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { onTestFinished } from 'vitest';
import { devImage, renderTaskObject } from '@hat/task-spec';
import { runTaskLocally, type LocalRunResult } from '@hat/task-runner';
import { deployTask, type Environment } from '@hat/task-deploy';
import type { GitRepo, GitServer } from '../../../test/stack/index.ts';

export function appChart(app: string, version: string): string {
  return [
    'apiVersion: v2',
    `name: ${app}`,
    `description: ${app}, as deployed in this environment`,
    'type: application',
    'version: 0.1.0',
    'dependencies:',
    `  - name: ${app}`,
    `    version: ${version}`,
    '    repository: oci://registry.example/charts',
    '',
  ].join('\n');
}

export function appValues(app: string, tag: string): string {
  return [`# env-specific values for ${app}`, `${app}:`, '  replicaCount: 1', '  image:', `    tag: "${tag}"  # set by deploy`, ''].join('\n');
}

export const appFiles = (app: string, version: string): Record<string, string> => ({
  [`apps/${app}/Chart.yaml`]: appChart(app, version),
  [`apps/${app}/values.yaml`]: appValues(app, version),
});

export async function tempDir(prefix = 'hat-deploy-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The ConfigMap and Secret `hat-gitops-<env>` as Kubernetes mounts them: one file per key. */
export async function envObjects(env: Environment, repo: { url: string }, cred: { username: string; password: string }, into?: string) {
  const dir = into ?? (await tempDir('hat-objects-'));
  const config = path.join(dir, 'config');
  const secret = path.join(dir, 'secret');
  await mkdir(config);
  await mkdir(secret);
  await writeFile(path.join(config, 'url'), repo.url);
  await writeFile(path.join(config, 'branch'), 'main');
  await writeFile(path.join(config, 'author-name'), 'HAT test');
  await writeFile(path.join(config, 'author-email'), 'hat-test@example.com');
  await writeFile(path.join(secret, 'username'), cred.username);
  await writeFile(path.join(secret, 'password'), cred.password);
  return { config, secret };
}

/** Runs deploy-<env> as its Task YAML wires it, with the env's ConfigMap and Secret. */
export async function runDeploy(
  env: Environment,
  objects: { config: string; secret: string },
  params: Record<string, string>,
  onLog?: (line: string) => void,
  /** The step's environment besides the Task's (e.g. a service account: KUBERNETES_SERVICE_HOST, HAT_SERVICE_ACCOUNT_DIR). */
  stepEnv?: Record<string, string>,
): Promise<LocalRunResult> {
  return runTaskLocally({
    task: renderTaskObject(deployTask(env), { version: 'dev', image: devImage('deploy') }),
    params,
    mounts: { [`configmap/hat-gitops-${env}`]: objects.config, [`secret/hat-gitops-${env}`]: objects.secret },
    ...(onLog ? { onLog } : {}),
    ...(stepEnv ? { env: stepEnv } : {}),
  });
}

/** Reads a bare repo on the server's disk (no HTTP): files at a ref, log, messages. */
export const bare = (server: GitServer, repo: GitRepo) => {
  const g = async (...args: string[]) => (await execa('git', ['--git-dir', server.repoPath(repo.name), ...args], { stripFinalNewline: false })).stdout.replace(/\n$/, args[0] === 'show' ? '\n' : '');
  return {
    show: (file: string, ref = 'main') => g('show', `${ref}:${file}`),
    head: () => g('rev-parse', 'main'),
    count: async () => Number(await g('rev-list', '--count', 'main')),
    log: (...args: string[]) => g('log', ...args, 'main'),
    everything: () => g('log', '-p', '--all', '--format=%H%n%an <%ae>%n%B'),
    refs: (prefix: string) => g('for-each-ref', '--format=%(refname)', prefix),
    git: g,
  };
};
