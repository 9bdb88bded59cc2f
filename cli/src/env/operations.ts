// `hat env init` and `hat env add-app` as functions (the CLI commands and the demo call these).
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, type Logger } from '@hat/task-runtime';
import { updateRepo, type GitAuth, type Identity } from '@hat/git';
import { appFiles, envFiles, type AppScaffold, type EnvScaffold } from './scaffold.ts';

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** Writes files that are missing; with `refuseExisting`, an existing one is an error. Returns the paths written. */
async function writeNew(dir: string, files: Record<string, string>, refuseExisting: boolean): Promise<string[]> {
  const written: string[] = [];
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    if (await exists(full)) {
      if (refuseExisting) throw new InputError(`${rel} already exists in the env repo; edit it there, or deploy with hat deploy`);
      continue;
    }
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, content);
    written.push(rel);
  }
  return written;
}

export interface RepoAccess {
  readonly auth: GitAuth;
  readonly author: Identity;
  readonly log: Logger;
  /** A private HOME for git (no user credential helpers). */
  readonly privateHome?: boolean;
}

/** Scaffolds an env repo (creating its first commit if it is empty); idempotent. Returns the commit, if any. */
export async function initEnv(s: EnvScaffold, access: RepoAccess): Promise<{ written: string[]; commit: string | undefined }> {
  const files = envFiles(s);
  const result = await updateRepo({
    url: s.repoUrl,
    branch: s.branch,
    ...access,
    privateHome: access.privateHome ?? false,
    paths: ['apps', 'argocd'],
    where: `${s.env} repo ${s.repoUrl}`,
    allowEmpty: true,
    async edit(dir) {
      const written = await writeNew(dir, files, false);
      if (written.length === 0) return { done: [] as string[] };
      return { value: written, commit: { subject: `env(${s.env}): scaffold the ${s.env} environment`, paths: written, trailers: [['Hat-Env', s.env]] } };
    },
  });
  return { written: result.value, commit: result.commit };
}

/** Adds apps/<app>/ to an env repo; refuses when it exists. Returns the commit. */
export async function addApp(a: AppScaffold, repo: { url: string; branch: string }, access: RepoAccess): Promise<string | undefined> {
  const files = appFiles(a);
  const result = await updateRepo({
    url: repo.url,
    branch: repo.branch,
    ...access,
    privateHome: access.privateHome ?? false,
    paths: [`apps/${a.app}`],
    where: `${a.env} repo ${repo.url}`,
    async edit(dir) {
      const written = await writeNew(dir, files, true);
      return {
        value: written,
        commit: { subject: `env(${a.env}): add ${a.app} at ${a.version}`, paths: [`apps/${a.app}`], trailers: [['Hat-App', a.app], ['Hat-Env', a.env], ['Hat-Version', a.version]] },
      };
    },
  });
  return result.commit;
}
