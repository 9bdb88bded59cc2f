import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
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
    expect(missing.stderr.trim()).toBe('error: task deploy-test needs param version: give -p version=VALUE');
    const none = await hat('task', 'run', 'deploy-test');
    expect(none.stderr.trim()).toBe('error: task deploy-test needs param app, version: give -p app=VALUE -p version=VALUE');
    // hat-gitops-test is mounted optional (as Tekton does, the step starts without it): deploy-test itself names it.
    const mount = await hat('task', 'run', 'deploy-test', '-p', 'app=web', '-p', 'version=1.0.0');
    expect(mount.exitCode).toBe(1);
    expect(mount.stderr.trim().split('\n').at(-1)).toMatch(/^error: ConfigMap hat-gitops-test is missing or empty in this namespace, so the test env repo is unknown: create it with hat install --env-config test=FILE/);
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
    expect(lines.at(-1)).toMatch(/^1 file, 1 object checked: \d+ problems$/);
    const problems = lines.slice(0, -1);
    expect(problems.length).toBeGreaterThanOrEqual(2);
    for (const line of problems) expect(line).toMatch(new RegExp(`^${bad.replace(/[/.]/g, '\\$&')}: Task/Bad_Name: `));
    expect(r.stdout).toMatch(/metadata\.name/);
    expect(r.stdout).toMatch(/\$\(params/);
    const good = await hat('validate', path.join(repoRoot, 'tasks/version/tekton/version.yaml'), '--allow-image', 'localhost/hat/[a-z0-9-]+:dev');
    expect(good.exitCode, good.stdout).toBe(0);
    expect(good.stdout).toBe('1 file, 1 object valid');
  });

  it('says what it checked, and fails when the files held nothing it knows (or with --strict-kinds, on any such object)', async () => {
    const argocd = ['application.yaml', 'appproject.yaml'].map((f) => path.join(repoRoot, 'catalog/argocd', f));
    const none = await hat('validate', ...argocd);
    expect(none.exitCode).toBe(1);
    expect(none.stderr.trim()).toBe('error: nothing to validate: 2 files read, no Tekton or Triggers object in them; 2 objects of other kinds skipped (--strict-kinds fails on them)');
    const mixed = await hat('validate', path.join(repoRoot, 'tasks/version/tekton/version.yaml'), ...argocd, '--allow-image', 'localhost/hat/.*');
    expect(mixed.exitCode, mixed.stderr).toBe(0);
    expect(mixed.stdout).toBe('3 files, 1 object valid; 2 objects of other kinds skipped (--strict-kinds fails on them)');
    const strict = await hat('validate', '--strict-kinds', ...argocd);
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toMatch(/unknown kind "Application" in apiVersion "argoproj\.io\/v1alpha1" \(--strict-kinds\)/);
  });

  it('names a file that is not a Kubernetes object without a stray field part', async () => {
    const d = await dir();
    const text = path.join(d, 'words.yaml');
    await writeFile(text, 'just some words\n');
    const r = await hat('validate', text);
    expect(r.exitCode).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(`${text}: <document at line 1>: not a Kubernetes object: expected a mapping, got string`);
  });
});

describe('hat deploy', () => {
  it('with arguments missing, names all of them and shows the whole usage, exit 2', async () => {
    const r = await hat('deploy');
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('error: deploy needs APP, VERSION, --env, --repo: hat deploy APP VERSION --env ENV --repo URL (e.g. hat deploy web 1.4.2 --env test --repo https://git.example.com/gitops/test.git)');
    const some = await hat('deploy', 'web', '1.0.0', '--env', 'test');
    expect(some.stderr.trim()).toMatch(/^error: deploy needs --repo: /);
  });

  it('to a server that refuses connections: one warning, one error naming the repo once, exit 1', async () => {
    const url = 'http://127.0.0.1:9/gitops/test.git';
    const r = await hat('deploy', 'web', '1.0.0', '--env', 'test', '--repo', url, '--author', 'A <a@example.com>');
    expect(r.exitCode).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warning: clone: connection refused \(.*\) \(attempt 1\/2\); retrying in \d+ ms$/);
    expect(lines[1]).toMatch(new RegExp(`^error: test repo ${url.replace(/[.]/g, '\\.')} unreachable after 2 attempts: clone: connection refused \\(`));
    expect(r.stderr.split(url)).toHaveLength(2);
  });
});

describe('hat deploy --wait', () => {
  it('finds the cluster and checks the timeout before it touches the repo: a bad flag is one line naming it, exit 2', async () => {
    const base = ['deploy', 'web', '1.0.0', '--env', 'test', '--repo', 'http://127.0.0.1:9/gitops/test.git', '--author', 'A <a@example.com>', '--wait'];
    const noConfig = await hat(...base, '--kubeconfig', '/nonexistent/kubeconfig');
    expect([noConfig.exitCode, noConfig.stderr.trim()]).toEqual([2, 'error: --kubeconfig: /nonexistent/kubeconfig does not exist']);
    const badTimeout = await hat(...base, '--sync-timeout', 'soon');
    expect([badTimeout.exitCode, badTimeout.stderr.trim()]).toEqual([2, 'error: --sync-timeout: expected a duration, a whole number of s, m or h such as 90s or 5m (got "soon")']);
  });
});

describe('hat --version', () => {
  it("prints the CLI package's version", async () => {
    const r = await hat('--version');
    expect(r.exitCode).toBe(0);
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'cli/package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe('the hat bundle', () => {
  it('cli/bin/hat.mjs runs cli/dist/hat.mjs, and rebuilds it first when a source is newer (it is never stale)', async () => {
    const bundle = path.join(repoRoot, 'cli/dist/hat.mjs');
    await utimes(bundle, new Date(0), new Date(0)); // older than every source: stale
    const r = await hat('--version');
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await stat(bundle)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    expect(await readFile(path.join(repoRoot, 'cli/bin/hat.mjs'), 'utf8')).toContain("path.join(here, '..', 'dist', 'hat.mjs')");
  });
});
