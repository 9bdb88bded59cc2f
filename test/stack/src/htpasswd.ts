// htpasswd lines: {SSHA} computed here for nginx (no process per repo), bcrypt via `htpasswd` for the
// registry (distribution only accepts bcrypt).
import { createHash, randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { findBinary } from './binaries.ts';

export interface Credential {
  username: string;
  password: string;
}

export function checkCredential({ username, password }: Credential): void {
  if (!/^[A-Za-z0-9._@+-]+$/.test(username)) throw new Error(`bad username ${JSON.stringify(username)}: use [A-Za-z0-9._@+-]`);
  if (password === '' || /[\r\n]/.test(password)) throw new Error('password must be non-empty and on one line');
}

export function sshaLine(credential: Credential): string {
  checkCredential(credential);
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(credential.password).update(salt).digest();
  return `${credential.username}:{SSHA}${Buffer.concat([digest, salt]).toString('base64')}\n`;
}

export async function bcryptLine(credential: Credential): Promise<string> {
  checkCredential(credential);
  const { stdout } = await execa(findBinary('htpasswd'), ['-niB', credential.username], { input: credential.password });
  return `${stdout.trim()}\n`;
}

export function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}
