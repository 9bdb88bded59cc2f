import { InputError } from '@hat/task-runtime';
import { originOf } from './remote-url.ts';

export interface StoredCredential {
  /** `protocol://host[:port]` the credential is for. */
  readonly origin: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Parses git-credential-store's file format: one `https://<user>:<password>@<host>[/path]` per line, user and
 * password percent-encoded. Lines that are not such URLs are errors (they usually mean a mangled Secret).
 */
export function parseGitCredentials(text: string, file: string): StoredCredential[] {
  const out: StoredCredential[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let url: URL;
    try {
      url = new URL(line);
    } catch {
      throw new InputError(`${file} line ${i + 1} is not a URL; expected https://<user>:<password>@<host>`);
    }
    const origin = originOf(line);
    if (!origin || !url.username || !url.password) {
      throw new InputError(`${file} line ${i + 1} (${url.protocol}//${url.host}) lacks a user or password; expected https://<user>:<password>@<host>`);
    }
    out.push({ origin, username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
  });
  return out;
}

/** The first stored credential for the URL's protocol, host and port (git ignores the path unless useHttpPath is set). */
export function credentialForUrl(credentials: readonly StoredCredential[], url: string): StoredCredential | undefined {
  const origin = originOf(url);
  return origin ? credentials.find((c) => c.origin === origin) : undefined;
}
