// Repo administration on the server's filesystem: create bare repos with their own credential, add
// credentials, seed content. Works from any process that can see the dir,
// so vitest workers can use a server started by global setup.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { urlWithAuth } from './git-auth.ts';
import { REPO_NAME_PATTERN } from './git-nginx-conf.ts';
import { seedBareRepo } from './git-seed.ts';
import type { SeedFiles, SeedOptions } from './git-seed.ts';
import { checkCredential, sshaLine } from './htpasswd.ts';
import type { Credential } from './htpasswd.ts';

/** Serialisable: what a process needs to use a running git server. */
export interface GitServerInfo {
  url: string;
  dir: string;
}

export interface CreateRepoOptions extends Credential {
  defaultBranch?: string;
}

export interface GitRepo extends Credential {
  name: string;
  /** http://127.0.0.1:PORT/<name>.git */
  url: string;
  /** The same URL with the credential in it. */
  cloneUrlWithAuth: string;
  /** The bare repo on disk. */
  path: string;
  defaultBranch: string;
}

export interface GitRepos {
  readonly url: string;
  info(): GitServerInfo;
  createRepo(name: string, options: CreateRepoOptions): Promise<GitRepo>;
  addCredential(name: string, credential: Credential): Promise<void>;
  repoPath(name: string): string;
  repoUrl(name: string): string;
  /** Commits files on top of the branch (created if missing) directly in the bare repo; returns the commit id. */
  seedRepo(name: string, files: SeedFiles, message: string, options?: SeedOptions): Promise<string>;
}

const NAME = new RegExp(`^${REPO_NAME_PATTERN}$`);

export function repoName(name: string): string {
  const bare = name.replace(/\.git$/, '');
  if (!NAME.test(bare) || bare.split('/').some((part) => part === '..' || part.endsWith('.git'))) {
    throw new Error(`bad repo name ${JSON.stringify(name)}: use path segments of [A-Za-z0-9._-]`);
  }
  return bare;
}

export function connectGitServer(info: GitServerInfo): GitRepos {
  const repoPath = (name: string): string => path.join(info.dir, 'repos', `${repoName(name)}.git`);
  const authFile = (name: string): string => path.join(info.dir, 'auth', `${repoName(name)}.htpasswd`);
  const repoUrl = (name: string): string => `${info.url}/${repoName(name)}.git`;

  return {
    url: info.url,
    info: () => ({ ...info }),
    repoPath,
    repoUrl,
    async createRepo(name, { username, password, defaultBranch = 'main' }) {
      checkCredential({ username, password });
      const repo = repoPath(name);
      if (existsSync(repo)) throw new Error(`repo ${name} already exists`);
      await execa('git', ['init', '--quiet', '--bare', '--initial-branch', defaultBranch, repo]);
      await appendFile(
        path.join(repo, 'config'),
        '[http]\n\treceivepack = true\n[uploadpack]\n\tallowFilter = true\n\tallowAnySHA1InWant = true\n',
      );
      await mkdir(path.dirname(authFile(name)), { recursive: true });
      await writeFile(authFile(name), sshaLine({ username, password }));
      const url = repoUrl(name);
      return {
        name: repoName(name),
        url,
        cloneUrlWithAuth: urlWithAuth(url, { username, password }),
        path: repo,
        username,
        password,
        defaultBranch,
      };
    },
    async addCredential(name, credential) {
      if (!existsSync(repoPath(name))) throw new Error(`repo ${name} does not exist`);
      await appendFile(authFile(name), sshaLine(credential));
    },
    seedRepo: (name, files, message, options = {}) => seedBareRepo(repoPath(name), files, message, options),
  };
}

