// Each task image does its job in a real container (ctr run), wired as its published Task says: against the
// stack's git server and registry on 127.0.0.1 (host network), Secrets and ConfigMaps mounted as files, as the
// Task's user with a read-only root. Failures give the same one-line errors and exit codes as on the host.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { injectImages } from './context.ts';
import { runTaskLocally } from '@hat/task-runner';
import { catalogTask, inContainer, onHost, tempDir } from './helpers.ts';

const ctx = injectImages();
const git = ctx.stack.git;
const registry = ctx.stack.registry;

const envFiles = (app: string, version: string): Record<string, string> => ({
  [`apps/${app}/Chart.yaml`]: `apiVersion: v2\nname: ${app}\nversion: 0.1.0\ndependencies:\n  - name: ${app}\n    version: ${version}\n    repository: oci://registry.example/charts\n`,
  [`apps/${app}/values.yaml`]: `${app}:\n  image:\n    tag: "${version}"\n`,
});

/** hat-gitops-test as Kubernetes mounts it: the ConfigMap's and the Secret's keys as files. */
async function gitopsObjects(url: string, cred: { username: string; password: string } | undefined): Promise<Record<string, string>> {
  const config = await tempDir('hat-cm-');
  const secret = await tempDir('hat-secret-');
  await writeFile(path.join(config, 'url'), url);
  await writeFile(path.join(config, 'author-name'), 'HAT images test');
  await writeFile(path.join(config, 'author-email'), 'images@hat.invalid');
  if (cred) {
    await writeFile(path.join(secret, 'username'), cred.username);
    await writeFile(path.join(secret, 'password'), cred.password);
  }
  return { 'configmap/hat-gitops-test': config, 'secret/hat-gitops-test': secret };
}

const gitAt = async (repo: string, ...args: string[]): Promise<string> => (await execa('git', ['--git-dir', git.repoPath(repo), ...args])).stdout.trim();

describe('deploy-test in its container', () => {
  const cred = { username: 'deploy-test', password: 'Container-Secret-7319' };

  it('lands its commit on the git server, sets its results, and no secret reaches the log, results or commit', async () => {
    const repo = await git.createRepo('images-gitops-test', cred);
    await git.seedRepo('images-gitops-test', envFiles('web', '1.0.0'), 'scaffold');
    const r = await inContainer(ctx, 'deploy-test', { params: { app: 'web', version: '1.2.0', 'source-commit': 'abc1234' }, mounts: await gitopsObjects(repo.url, cred) });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.results.changed).toBe('true');
    expect(r.results['previous-version']).toBe('1.0.0');
    expect(r.results.commit).toBe(await gitAt('images-gitops-test', 'rev-parse', 'main'));
    expect(parse(await gitAt('images-gitops-test', 'show', 'main:apps/web/Chart.yaml')).dependencies[0].version).toBe('1.2.0');
    expect(await gitAt('images-gitops-test', 'log', '-1', '--format=%an <%ae>%n%B')).toContain('Hat-Version: 1.2.0');
    const everything = [r.log, JSON.stringify(r.results), await gitAt('images-gitops-test', 'log', '-p', '--all')].join('\n');
    expect(everything).not.toContain(cred.password);
    // Run twice: the second run changes nothing.
    const again = await inContainer(ctx, 'deploy-test', { params: { app: 'web', version: '1.2.0' }, mounts: await gitopsObjects(repo.url, cred) });
    expect(again.exitCode, again.log).toBe(0);
    expect(again.results.changed).toBe('false');
  });

  it('signs its commit with the Secret\'s signing-key in the container (ssh-keygen in the image, the key only in a private temp dir)', async () => {
    const repo = await git.createRepo('images-gitops-signed', cred);
    await git.seedRepo('images-gitops-signed', envFiles('web', '1.0.0'), 'scaffold');
    const keys = await tempDir('hat-signing-key-');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hat-deploy-test', '-f', path.join(keys, 'key')]);
    const mounts = await gitopsObjects(repo.url, cred);
    // As a Secret volume mounts it (defaultMode 0644), readable by the step's user.
    await writeFile(path.join(mounts['secret/hat-gitops-test']!, 'signing-key'), await readFile(path.join(keys, 'key'), 'utf8'), { mode: 0o644 });
    const r = await inContainer(ctx, 'deploy-test', { params: { app: 'web', version: '1.3.0' }, mounts });
    expect(r.exitCode, r.log).toBe(0);
    await writeFile(path.join(keys, 'allowed'), `hat-deploy-test ${(await execa('cat', [path.join(keys, 'key.pub')])).stdout}\n`);
    const verified = await execa('git', ['--git-dir', git.repoPath('images-gitops-signed'), '-c', `gpg.ssh.allowedSignersFile=${path.join(keys, 'allowed')}`, 'verify-commit', r.results.commit!], { reject: false });
    expect(verified.exitCode, verified.stderr).toBe(0);
    expect(verified.stderr).toContain('Good "git" signature for hat-deploy-test');
  });

  it('an unreachable server: the same error line and exit code as on the host, after bounded retries', async () => {
    const mounts = await gitopsObjects('http://127.0.0.1:9/gitops/nowhere.git', cred);
    const params = { app: 'web', version: '1.2.0' };
    const [container, host] = [await inContainer(ctx, 'deploy-test', { params, mounts }), await onHost(ctx, 'deploy-test', { params, mounts })];
    expect(container.exitCode, container.log).toBe(1);
    expect(container.exitCode).toBe(host.exitCode);
    expect(container.errorLine).toBeDefined();
    expect(container.errorLine).toBe(host.errorLine);
    expect(container.log).not.toContain(cred.password);
  });

  it('a Secret without credentials: the same error line and exit code as on the host', async () => {
    const repo = await git.createRepo('images-gitops-nocred', cred);
    const mounts = await gitopsObjects(repo.url, undefined);
    const params = { app: 'web', version: '1.2.0' };
    const [container, host] = [await inContainer(ctx, 'deploy-test', { params, mounts }), await onHost(ctx, 'deploy-test', { params, mounts })];
    expect(container.exitCode, container.log).not.toBe(0);
    expect(container.exitCode).toBe(host.exitCode);
    expect(container.errorLine).toBe(host.errorLine);
  });
});

describe('git-clone, version, helm-package-push and build-image in their containers', () => {
  const cred = { username: 'app-reader', password: 'Clone-Secret-5521' };

  it('git-clone checks out the app repo into its workspace; version computes the version from it', async () => {
    const repo = await git.createRepo('images-app', cred);
    const commit = await git.seedRepo('images-app', { 'README.md': '# app\n' }, 'first');
    const output = await tempDir('hat-ws-output-', 'task');
    const auth = await tempDir('hat-ws-auth-');
    const origin = new URL(repo.url);
    await writeFile(path.join(auth, '.git-credentials'), `${origin.protocol}//${cred.username}:${cred.password}@${origin.host}\n`);
    await writeFile(path.join(auth, '.gitconfig'), `[credential "${origin.protocol}//${origin.host}"]\n\thelper = store\n`);
    const clone = await inContainer(ctx, 'git-clone', { params: { url: repo.url, revision: 'main', depth: '0' }, workspaces: { output, 'basic-auth': auth } });
    expect(clone.exitCode, clone.log).toBe(0);
    expect(clone.results.commit).toBe(commit);
    expect(clone.log).not.toContain(cred.password);
    const version = await inContainer(ctx, 'version', { params: { branch: 'main' }, workspaces: { source: output } });
    expect(version.exitCode, version.log).toBe(0);
    expect(version.results.version).toMatch(/^0\.0\.1-main\.1\.g[0-9a-f]{7}$/);
    expect(version.results['short-sha']).toBe(commit.slice(0, 7));
  });

  it('helm-package-push packages the chart and pushes it to the registry', async () => {
    const source = await tempDir('hat-ws-source-');
    await mkdir(path.join(source, 'chart', 'templates'), { recursive: true });
    await writeFile(path.join(source, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: images-app\nversion: 0.0.0\nappVersion: "0.0.0"\n');
    await writeFile(path.join(source, 'chart', 'values.yaml'), 'image:\n  repository: app\n  tag: ""\n');
    await writeFile(path.join(source, 'chart', 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  tag: {{ .Values.image.tag | quote }}\n');
    const secret = await tempDir('hat-chart-secret-');
    await writeFile(path.join(secret, 'username'), registry.username);
    await writeFile(path.join(secret, 'password'), registry.password);
    const r = await inContainer(ctx, 'helm-package-push', {
      params: { version: '1.2.0', 'chart-repository': `oci://${registry.host}/images-charts`, 'insecure-plain-http': 'true' },
      workspaces: { source },
      mounts: { 'secret/hat-chart-registry': secret },
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.results['chart-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.log).not.toContain(registry.password);
  });

  /** build-image's Task with its step's securityContext changed. */
  const withSecurity = async (change: (sc: Record<string, unknown>) => Record<string, unknown>): Promise<Record<string, unknown>> => {
    const task = structuredClone(await catalogTask(ctx, 'build-image')) as { spec: { steps: Array<{ securityContext: Record<string, unknown> }> } };
    task.spec.steps[0]!.securityContext = change(task.spec.steps[0]!.securityContext);
    return task;
  };

  async function buildWorkspaces(): Promise<Record<string, string>> {
    const source = await tempDir('hat-ws-build-');
    await copyFile('/bin/busybox', path.join(source, 'busybox'));
    await writeFile(path.join(source, 'Containerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo hello > /hello.txt"]\nCMD ["/bin/busybox", "cat", "/hello.txt"]\n');
    const dockerconfig = await tempDir('hat-ws-dockerconfig-');
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    await writeFile(path.join(dockerconfig, '.dockerconfigjson'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    return { source, dockerconfig };
  }
  const buildParams = { image: `${registry.host}/images/app`, tag: '1.2.0', 'tls-verify': 'false' };

  it('build-image builds and pushes an image inside its container, as root with only SETUID, SETGID and SETFCAP', async () => {
    const r = await inContainer(ctx, 'build-image', { params: buildParams, workspaces: await buildWorkspaces() });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.results.IMAGE_DIGEST).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.results.IMAGE_URL).toBe(`${registry.host}/images/app:1.2.0`);
    expect(r.log).not.toContain(registry.password);
  });

  it('build-image needs exactly that: with the default seccomp profile, or without SETFCAP, the build fails', async () => {
    for (const change of [
      (sc: Record<string, unknown>) => ({ ...sc, seccompProfile: { type: 'RuntimeDefault' } }),
      (sc: Record<string, unknown>) => ({ ...sc, capabilities: { drop: ['ALL'], add: ['SETUID', 'SETGID'] } }),
    ]) {
      const task = await withSecurity(change);
      const r = await runTaskLocally({ task, params: buildParams, workspaces: await buildWorkspaces(), runtime: ctx.runtime });
      expect(r.exitCode, r.log).toBe(1);
      expect(r.errorLine).toMatch(/^error: /);
    }
  });
});
