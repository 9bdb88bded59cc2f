import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
import { repoRoot } from '@hat/task-runner';

const hat = (...args: string[]) => execa(process.execPath, [path.join(repoRoot, 'cli/bin/hat.mjs'), ...args], { reject: false });

async function dir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'hat-cli-'));
  onTestFinished(() => rm(d, { recursive: true, force: true }));
  return d;
}

describe('hat task run', () => {
  it('runs a task from its definition and prints its results', async () => {
    const repo = await dir();
    const g = (...args: string[]) => execa('git', args, { cwd: repo, env: { GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@x', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@x' } });
    await g('init', '-q', '-b', 'main');
    await writeFile(path.join(repo, 'f'), 'x');
    await g('add', 'f');
    await g('commit', '-qm', 'one');
    await g('tag', 'v2.3.4');
    const results = await dir();
    const r = await hat('task', 'run', 'version', '-w', `source=${repo}`, '--results-dir', results);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('version="2.3.4"');
    expect(r.stdout).toContain('is-release="true"');
  });

  it('refuses what Tekton would refuse before starting a pod: unknown params, missing required ones, unbound workspaces', async () => {
    const unknown = await hat('task', 'run', 'version', '-p', 'nope=1');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^error: task version has no param nope \(it takes: /);
    const missing = await hat('task', 'run', 'deploy-test', '-p', 'app=web');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim()).toBe('error: task deploy-test needs param version');
    const mount = await hat('task', 'run', 'deploy-test', '-p', 'app=web', '-p', 'version=1.0.0');
    expect(mount.exitCode).toBe(2);
    expect(mount.stderr.trim()).toMatch(/^error: task deploy-test mounts ConfigMap hat-gitops-test: give its keys as files with --mount configmap\/hat-gitops-test=DIR$/);
    const task = await hat('task', 'run', 'nope');
    expect(task.exitCode).toBe(2);
    expect(task.stderr).toMatch(/unknown task "nope"; known: git-clone, version/);
  });

  it('passes bad params to the program, which names each with what it expected (exit 2)', async () => {
    const cm = await dir();
    await writeFile(path.join(cm, 'url'), 'http://127.0.0.1:9/x.git');
    const r = await hat('task', 'run', 'deploy-test', '-p', 'app=../x', '-p', 'version=latest', '-m', `configmap/hat-gitops-test=${cm}`, '-m', `secret/hat-gitops-test=${cm}`);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^error: bad input: param app: expected a DNS-1123 label.*"\.\.\/x"\); param version: expected a SemVer 2 version/);
  });
});

describe('hat validate', () => {
  it('prints one line per problem naming file, resource and field, exit 1; exit 0 when valid', async () => {
    const d = await dir();
    const bad = path.join(d, 'bad.yaml');
    await writeFile(bad, 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: Bad_Name\nspec:\n  steps:\n    - name: s\n      image: alpine@sha256:' + 'a'.repeat(64) + '\n      script: echo $(params.x)\n');
    const r = await hat('validate', bad);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${bad.replace(/[/.]/g, '\\$&')}: Task/Bad_Name: `));
    expect(r.stdout).toMatch(/metadata\.name/);
    expect(r.stdout).toMatch(/\$\(params/);
    const good = await hat('validate', path.join(repoRoot, 'tasks/version/tekton/version.yaml'), '--allow-image', 'localhost/hat/[a-z0-9-]+:dev');
    expect(good.exitCode, good.stdout).toBe(0);
  });
});
