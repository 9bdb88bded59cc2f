import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sshEnv } from './ssh-env.ts';
import { registerSecret, type Logger } from '@hat/task-runtime';

/** How git authenticates to a remote. `none` leaves it to git's own credential helpers (people's laptops). */
export type GitAuth =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** A directory as a Secret or workspace holds it: a private key (id_ed25519, id_rsa, ssh-privatekey, …), optional known_hosts and config. */
  | { readonly kind: 'ssh'; readonly dir: string }
  | { readonly kind: 'none' };

export function registerAuthSecrets(auth: GitAuth): void {
  if (auth.kind !== 'basic') return;
  registerSecret(auth.password);
  registerSecret(Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  registerSecret(encodeURIComponent(auth.password));
}

/** Without known_hosts ssh accepts the first host key it sees: in a fresh pod, any server's. */
export const NO_KNOWN_HOSTS = "ssh: no known_hosts beside the key, so the server's host key is accepted unchecked; add known_hosts to pin it";

/**
 * Environment that gives git the credential for exactly one remote, without writing it anywhere:
 * an `http.<url>.extraHeader` passed through GIT_CONFIG_* variables (never argv, never .git/config).
 */
export async function authEnv(auth: GitAuth, remoteUrl: string, home: string | undefined, log?: Logger): Promise<Record<string, string>> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' };
  if (auth.kind === 'basic') {
    registerAuthSecrets(auth);
    const token = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    Object.assign(env, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `http.${remoteUrl}.extraHeader`,
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${token}`,
    });
  } else if (auth.kind === 'ssh') {
    const privateDir = home ?? (await mkdtemp(path.join(os.tmpdir(), 'hat-ssh-')));
    const ssh = await sshEnv(auth.dir, privateDir);
    if (!ssh.checksHostKey) log?.warn(NO_KNOWN_HOSTS);
    Object.assign(env, ssh.env);
  }
  if (home) env['HOME'] = home;
  return env;
}
