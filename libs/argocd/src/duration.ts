// How long to wait, as people write it in a param or a flag: a whole number of seconds, minutes or hours.
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** "90s", "5m", "1h" → milliseconds; undefined for anything else (zero included). */
export function durationMs(text: string): number | undefined {
  const m = /^([1-9]\d{0,5})(s|m|h)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}
