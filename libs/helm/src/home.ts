import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A private helm home: cache, config, data and registry credentials in one temp dir, so nothing helm
 * reads or writes (logins above all) touches the user's home. Calls that share a login share a home.
 */
export interface HelmHome {
  readonly dir: string;
  /** The environment that points helm (and anything it shells out to) at this home. */
  readonly env: Readonly<Record<string, string>>;
  /** HELM_REGISTRY_CONFIG: the docker-style config.json `helm registry login` writes. */
  readonly registryConfig: string;
  dispose(): Promise<void>;
}

export async function createHelmHome(parent: string = os.tmpdir()): Promise<HelmHome> {
  const dir = await mkdtemp(path.join(parent, 'hat-helm-'));
  const sub = (name: string): string => path.join(dir, name);
  await Promise.all(['cache', 'config', 'data', 'home'].map((name) => mkdir(sub(name), { mode: 0o700 })));
  const registryConfig = path.join(sub('config'), 'registry', 'config.json');
  const env = {
    HELM_CACHE_HOME: sub('cache'),
    HELM_CONFIG_HOME: sub('config'),
    HELM_DATA_HOME: sub('data'),
    HELM_REGISTRY_CONFIG: registryConfig,
    HELM_REPOSITORY_CONFIG: path.join(sub('config'), 'repositories.yaml'),
    HELM_REPOSITORY_CACHE: path.join(sub('cache'), 'repository'),
    // Belt and braces: no docker credential store or ~/.config lookup can reach the real home either.
    HOME: sub('home'),
    DOCKER_CONFIG: sub('home'),
    XDG_CACHE_HOME: sub('cache'),
    XDG_CONFIG_HOME: sub('config'),
    XDG_DATA_HOME: sub('data'),
  };
  let disposed: Promise<void> | undefined;
  return {
    dir,
    env,
    registryConfig,
    dispose: () => (disposed ??= rm(dir, { recursive: true, force: true })),
  };
}
