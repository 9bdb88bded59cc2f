import { CommandError, ConflictError, HatError, RefusedError, TransientError } from '@hat/task-runtime';

/** Authentication or authorisation refused by the server: never retried. */
export class AuthError extends HatError {
  override readonly name: string = 'AuthError';
}

/** The server refused a push outright (branch protection, a hook): never retried, nothing to re-apply. `reason` is its own words. */
export class PushRefusedError extends HatError {
  override readonly name = 'PushRefusedError';
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/** ssh: the server's host key is not the one known_hosts expects (or known_hosts does not know it). */
export class HostKeyError extends AuthError {
  override readonly name = 'HostKeyError';
}

const CONFLICT = /\[rejected\]|non-fast-forward|fetch first|incorrect old value|cannot lock ref|failed to update ref|stale info|atomic (push|transaction) failed|\[remote rejected\].*(lock|old value)/i;
const HOST_KEY = /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i;
// The last three: what GitHub and GitLab say when a key or token may not access the repo.
const AUTH = /authentication failed|HTTP 40[13]|returned error: 40[13]|could not read (Username|Password)|terminal prompts disabled|Permission denied \(publickey|Permission to \S+ denied|you don't have permission|You are not allowed to/i;
const TRANSIENT =
  /could not resolve host|failed to connect|connection (refused|reset|timed out)|couldn't connect|operation timed out|returned error: 5\d\d|HTTP 5\d\d|early EOF|the remote end hung up|RPC failed|unexpected disconnect|Empty reply from server|gnutls|SSL_|Connection closed/i;

/** Turns a failed git command into the error the caller acts on: conflict (re-apply), transient (retry), auth (stop). */
export function classifyGitError(err: unknown, what: string): unknown {
  if (!(err instanceof CommandError)) return err;
  const text = err.stderrTail;
  if (HOST_KEY.test(text)) return new HostKeyError(`${what}: the server's host key is not the one in known_hosts (${firstLine(text, HOST_KEY)})`);
  if (AUTH.test(text)) return new AuthError(`${what}: authentication refused (${firstLine(text, AUTH)})`);
  if (CONFLICT.test(text)) return new ConflictError(`${what}: push rejected, the branch moved (${firstLine(text, CONFLICT)})`);
  if (DECLINED.test(text)) {
    // The forge's own words ("remote: Gitea: Not allowed to push to protected branch …") say more than git's "(pre-receive hook declined)".
    const said = text.split('\n').map((l) => /^remote:\s*(?:\S+:\s*)?(.*\S)\s*$/.exec(l)?.[1]).find((l) => l && /protect|not allowed|denied|declined|refus/i.test(l));
    const reason = (said ?? firstLine(text, DECLINED).replace(/^.*\[remote rejected\][^(]*\(/, '').replace(/\)$/, '')).slice(0, 200);
    return new PushRefusedError(`${what}: the server refused the push (${reason})`, reason);
  }
  if (TRANSIENT.test(text)) {
    // git repeats the URL ("unable to access 'URL': …"); the caller names the repo once.
    const line = firstLine(text, TRANSIENT).replace(/^unable to access '[^']*':\s*/i, '');
    return REFUSED.test(text) && !/timed out/i.test(text) ? new RefusedError(`${what}: connection refused (${line})`) : new TransientError(`${what}: server unreachable (${line})`);
  }
  return err;
}

/** A push the server declined (not a race: CONFLICT is checked first). */
const DECLINED = /\[remote rejected\]/;

/** Nothing listens there (curl: "Couldn't connect to server" without a timeout; ssh: "Connection refused"). */
const REFUSED = /connection refused|couldn't connect to server/i;

const firstLine = (text: string, re: RegExp): string =>
  (text.split('\n').find((l) => re.test(l)) ?? text.split('\n')[0] ?? '').replace(/^(fatal|error|remote):\s*/i, '').trim().slice(0, 200);
