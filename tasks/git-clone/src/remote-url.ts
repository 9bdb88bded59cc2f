import { registerSecret } from '@hat/task-runtime';

/** How git will talk to a remote: http(s) (basic auth applies), ssh (keys apply) or something else (local paths). */
export type Transport = 'http' | 'ssh' | 'other';

const SCP_LIKE = /^(?:[^@/]+@)?[^/:]+:(?!\/\/)/;

export function transportOf(url: string): Transport {
  if (/^https?:\/\//i.test(url)) return 'http';
  if (/^(ssh|git\+ssh|ssh\+git):\/\//i.test(url) || SCP_LIKE.test(url)) return 'ssh';
  return 'other';
}

/** Registers the userinfo of a URL as secrets, so an error that quotes the URL cannot show them. */
export function registerUrlSecrets(url: string): void {
  try {
    const parsed = new URL(url);
    for (const part of [parsed.username, parsed.password]) {
      registerSecret(part);
      registerSecret(decodeURIComponent(part));
    }
  } catch {
    // not a URL: nothing to hide
  }
}

/** True for http(s) URLs carrying a password or token (`https://user:pass@host/…`, `https://token@host/…`). */
export function urlHasCredentials(url: string): boolean {
  if (transportOf(url) !== 'http') return false;
  try {
    const parsed = new URL(url);
    return parsed.password !== '' || parsed.username !== '';
  } catch {
    return false;
  }
}

/** `protocol://host[:port]` of an http(s) URL: the scope a stored git credential applies to. */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`.toLowerCase();
  } catch {
    return undefined;
  }
}
