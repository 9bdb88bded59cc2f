import { InputError, readMountKey, registerSecret } from '@hat/task-runtime';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** username/password from the mounted Secret; undefined when it is absent (anonymous registry). */
export async function readCredentials(dir: string | undefined): Promise<Credentials | undefined> {
  if (dir === undefined) return undefined;
  const [username, password] = await Promise.all([readMountKey(dir, 'username'), readMountKey(dir, 'password')]);
  registerSecret(password);
  if (username === undefined && password === undefined) return undefined;
  if (!username || !password) throw new InputError('Secret hat-chart-registry needs both keys username and password');
  return { username, password };
}
