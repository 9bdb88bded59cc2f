// An env as ArgoCD renders it: the app's folder of the env repo at a commit, `helm dependency build` + `helm template`.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { authEnv, cloneFolders, type GitAuth } from '@hat/git';
import { appFolder } from '@hat/gitops';
import { createHelmHome, dependencyBuild, registryLogin, template } from '@hat/helm';

export interface RenderEnvOptions {
  readonly env: string;
  readonly app: string;
  readonly repoUrl: string;
  readonly branch: string;
  readonly auth: GitAuth;
  /** The chart registry, when it needs a login (host, credentials, plain HTTP). */
  readonly registry?: { readonly host: string; readonly username: string; readonly password: string; readonly plainHttp: boolean };
}

export interface RenderedEnv {
  readonly commit: string;
  readonly manifests: string;
  /** Container images of the rendered workloads. */
  readonly images: readonly string[];
}

export async function renderEnvApp(o: RenderEnvOptions): Promise<RenderedEnv> {
  const work = await mkdtemp(path.join(os.tmpdir(), `hat-render-${o.env}-`));
  const home = await createHelmHome(work);
  try {
    const dir = path.join(work, 'repo');
    const env = await authEnv(o.auth, o.repoUrl, path.join(work, 'git-home'));
    const { head: commit, paths } = await cloneFolders({ url: o.repoUrl, branch: o.branch, dir, paths: appFolder(o.app), env, what: `clone of the ${o.env} repo` });
    const plainHttp = o.registry?.plainHttp ?? false;
    if (o.registry) await registryLogin(o.registry.host, { username: o.registry.username, password: o.registry.password, plainHttp, home });
    const chartDir = path.join(dir, paths[0]!);
    await dependencyBuild(chartDir, { home, plainHttp });
    const manifests = await template(chartDir, { releaseName: o.app, namespace: `${o.app}-${o.env}`, home });
    const images = parseAllDocuments(manifests)
      .map((d) => d.toJS() as { spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } } | null)
      .flatMap((doc) => doc?.spec?.template?.spec?.containers ?? [])
      .map((c) => c.image ?? '')
      .filter(Boolean);
    return { commit: commit ?? '', manifests, images };
  } finally {
    await home.dispose();
    await rm(work, { recursive: true, force: true });
  }
}
