import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, registerSecret } from '@hat/task-runtime';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

const readKey = (dir: string, key: string): Promise<string | undefined> =>
  readFile(path.join(dir, key), 'utf8').then(
    (text) => text.replace(/\r?\n$/, ''),
    () => undefined,
  );

/** username/password from the mounted Secret; undefined when it is absent (anonymous registry). */
export async function readCredentials(dir: string | undefined): Promise<Credentials | undefined> {
  if (dir === undefined) return undefined;
  const [username, password] = await Promise.all([readKey(dir, 'username'), readKey(dir, 'password')]);
  registerSecret(password);
  if (username === undefined && password === undefined) return undefined;
  if (!username || !password) throw new InputError('Secret hat-chart-registry needs both keys username and password');
  return { username, password };
}
