import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { registerSecret } from '@hat/task-runtime';

/** How git authenticates to a remote. `none` leaves it to git's own credential helpers (people's laptops). */
export type GitAuth =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'ssh'; readonly privateKeyPath: string; readonly knownHostsPath?: string }
  | { readonly kind: 'none' };

export function registerAuthSecrets(auth: GitAuth): void {
  if (auth.kind !== 'basic') return;
  registerSecret(auth.password);
  registerSecret(Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  registerSecret(encodeURIComponent(auth.password));
}

/**
 * Environment that gives git the credential for exactly one remote, without writing it anywhere:
 * an `http.<url>.extraHeader` passed through GIT_CONFIG_* variables (never argv, never .git/config).
 */
export async function authEnv(auth: GitAuth, remoteUrl: string, home: string | undefined): Promise<Record<string, string>> {
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
    if (!home) throw new Error('ssh auth needs a private HOME for its ssh config');
    const sshDir = path.join(home, '.ssh');
    await mkdir(sshDir, { recursive: true, mode: 0o700 });
    const lines = ['Host *', `  IdentityFile ${auth.privateKeyPath}`, '  IdentitiesOnly yes', '  BatchMode yes'];
    lines.push(auth.knownHostsPath ? `  UserKnownHostsFile ${auth.knownHostsPath}\n  StrictHostKeyChecking yes` : '  StrictHostKeyChecking accept-new');
    await writeFile(path.join(sshDir, 'config'), `${lines.join('\n')}\n`, { mode: 0o600 });
  }
  if (home) env['HOME'] = home;
  return env;
}
