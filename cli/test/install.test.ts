// `hat` as people install it: `npm pack` of cli/ (prepack bundles it), `npm install <tarball>` in an empty folder,
// and the commands that need no repository, run from there against the real git server.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@hat/task-runner';
import { injectStack } from '../../test/stack/vitest.ts';

const stack = injectStack();
const cred = { username: 'installed-sre', password: 'Installed-Pass-4417' };
let dir: string;
let hatBin: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hat-install-'));
  const packed = await execa('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: path.join(repoRoot, 'cli') });
  const tarball = path.join(dir, packed.stdout.trim().split('\n').at(-1)!);
  const app = path.join(dir, 'app');
  await execa('mkdir', [app]);
  await execa('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: app });
  hatBin = path.join(app, 'node_modules', '.bin', 'hat');
}, 180_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The installed hat, from a folder outside the repository, with a clean HOME and no project tools on PATH. */
const hat = (args: string[], env: Record<string, string> = {}) =>
  execa(hatBin, args, {
    cwd: dir,
    reject: false,
    extendEnv: false,
    env: { PATH: '/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin', HOME: dir, HAT_GIT_USERNAME: cred.username, HAT_GIT_PASSWORD: cred.password, GIT_AUTHOR_NAME: 'Sam SRE', GIT_AUTHOR_EMAIL: 'sam@example.com', ...env },
  });

describe('the installed hat (npm pack + npm install, no repository)', () => {
  it('is one package with the bundle and the validator sources, and no other file of this repository', async () => {
    const installed = path.join(path.dirname(path.dirname(hatBin)), '@hat', 'cli');
    expect((await readdir(installed)).sort()).toEqual(['bin', 'dist', 'package.json', 'validator']);
    expect(await readdir(path.join(path.dirname(path.dirname(hatBin))))).toEqual(['.bin', '.package-lock.json', '@hat']);
  });

  it('--version, --help and status --help work; repository-only commands are not offered', async () => {
    const version = await hat(['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await hat(['--help']);
    expect(help.exitCode).toBe(0);
    for (const command of ['validate', 'deploy', 'env', 'status', 'history']) expect(help.stdout).toContain(`  ${command}`);
    expect(help.stdout).not.toMatch(/^ {2}(catalog|demo|generate) /m);
    expect(help.stdout).toContain('In a clone of the HAT repository hat also has: task, catalog, image, cluster, generate, demo, run.');
    expect((await hat(['status', '--help'])).stdout).toMatch(/^Usage: hat status/);
  });

  it('env init, env add-app, deploy and status against the real git server', async () => {
    const repo = await stack.git.createRepo('installed-gitops-test', cred);
    const init = await hat(['env', 'init', '--env', 'test', '--repo', repo.url]);
    expect(init.exitCode, init.stderr).toBe(0);
    const add = await hat(['env', 'add-app', '--env', 'test', '--repo', repo.url, '--app', 'web', '--chart-repo', 'oci://registry.example.com/charts', '--version', '1.0.0']);
    expect(add.exitCode, add.stderr).toBe(0);

    const deploy = await hat(['deploy', 'web', '1.1.0', '--env', 'test', '--repo', repo.url]);
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    const status = await hat(['status', '--repo', `test=${repo.url}`, '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain('1.1.0');
    expect([init, add, deploy, status].map((r) => r.all ?? `${r.stdout}${r.stderr}`).join('\n')).not.toContain(cred.password);
  });

  it('validate builds the validator on first use from the shipped sources (Go), and says clearly when Go is missing', async () => {
    const task = path.join(dir, 'task.yaml');
    await writeFile(task, 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: hello\nspec:\n  steps:\n    - name: s\n      image: busybox@sha256:' + 'a'.repeat(64) + '\n      command: ["true"]\n');
    const noGo = await hat(['validate', task], { PATH: '/usr/bin:/bin', XDG_CACHE_HOME: path.join(dir, 'cache-nogo') });
    expect(noGo.exitCode).toBe(1);
    expect(noGo.stderr.trim()).toMatch(/^error: hat validate runs Tekton's own validation code, built once with Go from the sources in .*: Go is not on PATH \(install Go 1\.24 or newer, or put hat-tekton-validate on PATH\)$/);
    const cache = path.join(dir, 'cache');
    const first = await hat(['validate', task], { XDG_CACHE_HOME: cache, GOPATH: path.join(os.homedir(), 'go'), GOCACHE: path.join(os.homedir(), '.cache', 'go-build') });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/building hat-tekton-validate/);
    expect(first.stdout).toBe('1 file, 1 object valid');
    const again = await hat(['validate', task], { XDG_CACHE_HOME: cache });
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toBe('');
  }, 300_000);
});
