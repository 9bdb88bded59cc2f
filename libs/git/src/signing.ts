// SSH commit signing (git's gpg.format=ssh): the private key goes into a file of a private temp dir (0600; ssh-keygen
// refuses keys others can read), is checked there before anything is fetched or pushed, and leaves with that dir.
// The key itself never reaches argv, a log or an error: only the file's path does.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, registerSecret, run } from '@hat/task-runtime';

export interface SigningKey {
  /** The key file (in the caller's private temp dir). */
  readonly file: string;
  /** `ssh-ed25519 AAAA…` (what an allowed-signers line names). */
  readonly publicKey: string;
}

/**
 * Writes `key` (an unencrypted OpenSSH private key) to `dir/signing-key` and checks it by deriving its public key.
 * `what` names where the key came from in the error, e.g. "Secret hat-gitops-prod key signing-key".
 */
export async function prepareSigningKey(key: string, dir: string, what: string): Promise<SigningKey> {
  registerSecret(key);
  const file = path.join(dir, 'signing-key');
  await writeFile(file, key.endsWith('\n') ? key : `${key}\n`, { mode: 0o600 });
  // -P '': an encrypted key fails instead of asking for its passphrase.
  const derived = await run('ssh-keygen', ['-y', '-P', '', '-f', file], { okExitCodes: [0, 1, 255], timeoutMs: 10_000 });
  if (derived.exitCode !== 0 || !/^(ssh-|ecdsa-|sk-)\S+ \S+/.test(derived.stdout.trim())) {
    const why = /incorrect passphrase|passphrase/i.test(derived.stderr) ? 'it is protected by a passphrase' : 'ssh-keygen cannot read it';
    throw new InputError(`${what}: expected an unencrypted OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----), but ${why}`);
  }
  return { file, publicKey: derived.stdout.trim().split(/\s+/).slice(0, 2).join(' ') };
}

/** git -c options that make `git commit -S` sign with the key. */
export const signingConfig = (key: SigningKey): string[] => ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key.file}`];
