/** A process-wide register of secret values; everything the runtime prints passes through mask(). */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (!value) return;
  const trimmed = value.trim();
  // Very short values would mask ordinary words; credentials are never this short in practice.
  if (trimmed.length >= 4) secrets.add(trimmed);
  if (value.length >= 4) secrets.add(value);
  // Also the forms a secret takes on the wire: base64 of user:password is registered by callers.
}

export function mask(text: string): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join('***');
  }
  // Credentials embedded in URLs (https://user:pass@host, https://token@host) are masked even when not registered.
  // An ssh URL's user (ssh://git@host) is a login name, not a secret: ssh URLs lose only a password.
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^/\s@]+)@/gi, (m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon < 0 && /ssh/i.test(scheme)) return m;
    return `${scheme}${colon >= 0 ? `${userinfo.slice(0, colon)}:***` : '***'}@`;
  });
}

export function registeredSecrets(): readonly string[] {
  return [...secrets];
}
