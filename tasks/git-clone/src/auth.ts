import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { authEnv, NO_KNOWN_HOSTS, sshEnv } from '@hat/git';
import { InputError, type TaskContext } from '@hat/task-runtime';
import { credentialForUrl, parseGitCredentials } from './git-credentials.ts';
import { originOf, transportOf } from './remote-url.ts';


export interface CloneAuth {
  /** Environment for every git command (credentials through GIT_CONFIG_* or GIT_SSH_COMMAND, a private HOME). */
  readonly env: Record<string, string>;
  /** For logs and errors, without secrets: e.g. `user "ci" from basic-auth/.git-credentials`. */
  readonly source: string;
}

const readIfExists = (file: string): Promise<string | undefined> => readFile(file, 'utf8').catch(() => undefined);

/**
 * The credentials for cloning `url`, from the basic-auth (http/https) or ssh-directory (ssh) workspace.
 * `privateDir` is a fresh temp dir (HOME for git, ssh key copies) that the caller removes afterwards.
 */
export async function cloneAuth(ctx: TaskContext, url: string, privateDir: string): Promise<CloneAuth> {
  const transport = transportOf(url);
  const home = path.join(privateDir, 'home');
  if (transport === 'http') {
    const dir = ctx.workspace('basic-auth');
    if (dir) {
      const file = path.join(dir, '.git-credentials');
      const text = await readIfExists(file);
      if (text === undefined) throw new InputError('the basic-auth workspace has no .git-credentials file (lines https://<user>:<token>@<host>)');
      const credential = credentialForUrl(parseGitCredentials(text, 'basic-auth/.git-credentials'), url);
      if (credential) {
        // Scoped to protocol://host[:port], as git's credential store applies it (so same-host submodules get it too).
        const env = await authEnv({ kind: 'basic', username: credential.username, password: credential.password }, `${credential.origin}/`, home);
        return { env, source: `user ${JSON.stringify(credential.username)} from basic-auth/.git-credentials` };
      }
      ctx.log.warn(`basic-auth/.git-credentials has no line for ${originOf(url) ?? url}; cloning without credentials`);
    }
  } else if (transport === 'ssh') {
    const dir = ctx.workspace('ssh-directory');
    if (dir) {
      const ssh = await sshEnv(dir, privateDir);
      if (!ssh.checksHostKey) ctx.log.warn(NO_KNOWN_HOSTS);
      const env = await authEnv({ kind: 'none' }, url, home);
      return { env: { ...env, ...ssh.env }, source: `key ${ssh.keys.join(', ')} from ssh-directory` };
    }
  }
  return { env: await authEnv({ kind: 'none' }, url, home), source: 'no credentials (neither basic-auth nor ssh-directory applies)' };
}
