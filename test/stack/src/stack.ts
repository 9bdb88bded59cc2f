// Both servers together, for global setup and the CLI demo.
import { connectGitServer } from './git-repos.ts';
import type { GitRepos, GitServerInfo } from './git-repos.ts';
import { startGitServer } from './git-server.ts';
import type { GitServer } from './git-server.ts';
import { startRegistry } from './registry.ts';
import type { Registry, RegistryInfo } from './registry.ts';

/** Serialisable (vitest provide/inject, JSON for another process). */
export interface StackInfo {
  git: GitServerInfo;
  registry: RegistryInfo;
}

export interface StackOptions {
  maxSeconds?: number;
  registryUsername?: string;
  registryPassword?: string;
}

export interface Stack {
  git: GitServer;
  registry: Registry;
  info(): StackInfo;
  stop(): Promise<void>;
}

/** What a process gets from StackInfo: repo admin and registry access, but no lifecycle. */
export interface ConnectedStack {
  git: GitRepos;
  registry: RegistryInfo;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const limit = options.maxSeconds === undefined ? {} : { maxSeconds: options.maxSeconds };
  const [git, registry] = await Promise.allSettled([
    startGitServer(limit),
    startRegistry({
      ...limit,
      ...(options.registryUsername === undefined ? {} : { username: options.registryUsername }),
      ...(options.registryPassword === undefined ? {} : { password: options.registryPassword }),
    }),
  ]);
  if (git.status === 'rejected' || registry.status === 'rejected') {
    if (git.status === 'fulfilled') await git.value.stop();
    if (registry.status === 'fulfilled') await registry.value.stop();
    throw git.status === 'rejected' ? git.reason : (registry as PromiseRejectedResult).reason;
  }
  return {
    git: git.value,
    registry: registry.value,
    info: () => ({ git: git.value.info(), registry: registry.value.info() }),
    async stop() {
      await Promise.all([git.value.stop(), registry.value.stop()]);
    },
  };
}

export function connectStack(info: StackInfo): ConnectedStack {
  return { git: connectGitServer(info.git), registry: { ...info.registry } };
}
