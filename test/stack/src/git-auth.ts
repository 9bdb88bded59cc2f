// Ways to hand a credential to git without writing it into a remote URL.
import { basicAuth } from './http.ts';
import type { Credential } from './htpasswd.ts';

/** `git -c <this> clone …`: sends the credential on every request (never stored in .git/config). */
export function gitAuthConfigArgs(credential: Credential): string[] {
  return ['-c', `http.extraHeader=Authorization: ${basicAuth(credential.username, credential.password)}`];
}

/** Same, as environment variables (GIT_CONFIG_COUNT), for tools that run git themselves. */
export function gitAuthEnv(credential: Credential): Record<string, string> {
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: ${basicAuth(credential.username, credential.password)}`,
  };
}

/** http://user:pass@host/path — only for tests about URL credentials. */
export function urlWithAuth(url: string, credential: Credential): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(credential.username);
  parsed.password = encodeURIComponent(credential.password);
  return parsed.toString();
}
