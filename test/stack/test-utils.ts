// Helpers for the stack's own tests: git and helm run in throwaway homes, never prompting.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { onTestFinished } from 'vitest';

export async function tempDir(prefix = 'hat-stack-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface RunOptions {
  /** HOME for the command: keeps user config and credential helpers out. */
  home: string;
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
}

export interface RunResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: string[], options: RunOptions, env: Record<string, string>): Promise<RunResult> {
  const { exitCode, stdout, stderr } = await execa(command, args, {
    reject: false,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.input === undefined ? {} : { input: options.input }),
    env: { HOME: options.home, ...env, ...options.env },
  });
  return { exitCode, stdout, stderr };
}

/** git with no system/user config, no prompts, and a fixed identity. */
export function git(args: string[], options: RunOptions): Promise<RunResult> {
  return run('git', args, options, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@hat.invalid',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@hat.invalid',
  });
}

/** The pinned helm: .tools/bin (setup.sh), else the one setup is still building. */
export function helmBinary(): string {
  const root = path.resolve(import.meta.dirname, '..', '..');
  for (const candidate of [path.join(root, '.tools', 'bin', 'helm'), '/tmp/gobin/helm']) {
    if (existsSync(candidate)) return candidate;
  }
  return 'helm';
}

/** helm with all its state (registry config, cache) in home. */
export function helm(args: string[], options: RunOptions): Promise<RunResult> {
  return run(helmBinary(), args, options, {
    HELM_REGISTRY_CONFIG: path.join(options.home, 'registry', 'config.json'),
    HELM_CACHE_HOME: path.join(options.home, 'cache'),
    HELM_CONFIG_HOME: path.join(options.home, 'config'),
    HELM_DATA_HOME: path.join(options.home, 'data'),
  });
}
