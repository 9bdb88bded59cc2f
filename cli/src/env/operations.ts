// `hat env init` and `hat env add-app` as functions (the CLI commands and the demo call these).
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, type Logger } from '@hat/task-runtime';
import { updateRepo, type GitAuth, type Identity } from '@hat/git';
import { appDir, appFolder, LAYOUT_FILE, readLayout, type Layout } from '@hat/gitops';
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

/**
 * Scaffolds an env repo (creating its first commit if it is empty); idempotent. Without a layout, an initialised
 * repo keeps its own and a new one is flat; a layout other than the repo's is refused (its apps would be lost).
 * Returns the commit, if any.
 */
export async function initEnv(s: Omit<EnvScaffold, 'layout'> & { readonly layout?: Layout }, access: RepoAccess): Promise<{ written: string[]; commit: string | undefined }> {
  const result = await updateRepo({
    url: s.repoUrl,
    branch: s.branch,
    ...access,
    privateHome: access.privateHome ?? false,
    paths: ['apps', 'argocd'],
    where: `${s.env} repo ${s.repoUrl}`,
    allowEmpty: true,
    async edit(dir) {
      const current = await readLayout(dir);
      const initialised = (await exists(path.join(dir, LAYOUT_FILE))) || (await exists(path.join(dir, 'argocd/applicationset.yaml')));
      if (initialised && s.layout !== undefined && s.layout !== current) {
        throw new InputError(`--layout: the ${s.env} repo is already initialised with the ${current} layout, which cannot change (its apps are laid out that way); run hat env init --layout ${current}`);
      }
      const written = await writeNew(dir, envFiles({ ...s, layout: initialised ? current : (s.layout ?? 'flat') }), false);
      if (written.length === 0) return { done: [] as string[] };
      return { value: written, commit: { subject: `env(${s.env}): scaffold the ${s.env} environment`, paths: written, trailers: [['Hat-Env', s.env]] } };
    },
  });
  return { written: result.value, commit: result.commit };
}

/** Adds the app's folder (apps/<app>/, or apps/<shard>/<app>/) to an env repo; refuses when it exists. Returns the commit. */
export async function addApp(a: AppScaffold, repo: { url: string; branch: string }, access: RepoAccess): Promise<string | undefined> {
  const result = await updateRepo({
    url: repo.url,
    branch: repo.branch,
    ...access,
    privateHome: access.privateHome ?? false,
    paths: appFolder(a.app),
    where: `${a.env} repo ${repo.url}`,
    async edit(dir) {
      const layout = await readLayout(dir);
      const written = await writeNew(dir, appFiles(a, layout), true);
      return {
        value: written,
        commit: { subject: `env(${a.env}): add ${a.app} at ${a.version}`, paths: [appDir(a.app, layout)], trailers: [['Hat-App', a.app], ['Hat-Env', a.env], ['Hat-Version', a.version]] },
      };
    },
  });
  return result.commit;
}
