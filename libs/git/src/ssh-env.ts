import { chmod, copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '@hat/task-runtime';

const KEY_NAMES = ['id_ed25519', 'id_ecdsa', 'id_rsa', 'ssh-privatekey'];
const quote = (p: string): string => `'${p.replace(/'/g, `'\\''`)}'`;

/**
 * Prepares ssh for git from an ssh-directory workspace: private keys are copied into a private dir with mode 0600
 * (Secret volumes mount them 0644, which ssh refuses) and ssh gets an explicit config with -F, because ssh reads
 * ~/.ssh from the passwd entry, not $HOME. Returns the env for git.
 */
export async function sshEnv(sshDir: string, privateDir: string): Promise<{ env: Record<string, string>; keys: string[]; checksHostKey: boolean }> {
  const files = new Set(await readdir(sshDir));
  const keys = KEY_NAMES.filter((k) => files.has(k));
  if (keys.length === 0) throw new InputError(`ssh-directory has no private key (looked for ${KEY_NAMES.join(', ')})`);
  const dir = path.join(privateDir, 'ssh');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lines: string[] = [];
  if (files.has('config')) lines.push(`Include ${path.join(sshDir, 'config')}`);
  lines.push('Host *', '  IdentitiesOnly yes', '  BatchMode yes', '  ConnectTimeout 20');
  for (const key of keys) {
    const copy = path.join(dir, key);
    await copyFile(path.join(sshDir, key), copy);
    await chmod(copy, 0o600);
    lines.push(`  IdentityFile ${copy}`);
  }
  if (files.has('known_hosts')) lines.push(`  UserKnownHostsFile ${path.join(sshDir, 'known_hosts')}`, '  StrictHostKeyChecking yes');
  else lines.push(`  UserKnownHostsFile ${path.join(dir, 'known_hosts')}`, '  StrictHostKeyChecking accept-new');
  const config = path.join(dir, 'config');
  await writeFile(config, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { env: { GIT_SSH_COMMAND: `ssh -F ${quote(config)}` }, keys, checksHostKey: files.has('known_hosts') };
}
