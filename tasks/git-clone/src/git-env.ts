/** Adds config entries to a GIT_CONFIG_COUNT/KEY_n/VALUE_n environment (command-line scope: never written to a file). */
export function withGitConfig(env: Record<string, string>, entries: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const out = { ...env };
  let count = Number(out['GIT_CONFIG_COUNT'] ?? '0');
  for (const [key, value] of entries) {
    out[`GIT_CONFIG_KEY_${count}`] = key;
    out[`GIT_CONFIG_VALUE_${count}`] = value;
    count++;
  }
  out['GIT_CONFIG_COUNT'] = String(count);
  return out;
}
