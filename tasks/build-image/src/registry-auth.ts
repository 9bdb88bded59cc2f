import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { credentialFor, readDockerConfig, type RegistryCredential } from '@hat/oci';
import { InputError, type TaskContext } from '@hat/task-runtime';

export interface RegistryAuth {
  /** What buildah gets as --authfile: the bound Secret's file, or an empty one so nothing on the host leaks in. */
  readonly authfile: string;
  /** The credential for the push registry, for reading the digest back. */
  readonly credential: RegistryCredential | undefined;
  /** For logs: `user "robot" from dockerconfig/.dockerconfigjson` (never the secret). */
  readonly source: string;
}

const FILES = ['config.json', '.dockerconfigjson'];

/** Reads the dockerconfig workspace (config.json or .dockerconfigjson); registers every secret in it for masking. */
export async function registryAuth(ctx: TaskContext, registry: string, scratch: string): Promise<RegistryAuth> {
  const dir = ctx.workspace('dockerconfig');
  if (dir) {
    for (const name of FILES) {
      const file = path.join(dir, name);
      const config = await readDockerConfig(file).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      });
      if (!config) continue;
      const credential = credentialFor(config, registry);
      const source = credential?.kind === 'basic' ? `user ${JSON.stringify(credential.username)} from dockerconfig/${name}` : credential ? `the identity token from dockerconfig/${name}` : `no entry for ${registry} in dockerconfig/${name}`;
      return { authfile: file, credential, source };
    }
    throw new InputError(`the dockerconfig workspace has neither ${FILES.join(' nor ')}`);
  }
  const authfile = path.join(scratch, 'auth.json');
  await writeFile(authfile, '{"auths":{}}\n', { mode: 0o600 });
  return { authfile, credential: undefined, source: 'the dockerconfig workspace is not bound' };
}
