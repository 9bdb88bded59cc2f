// How long a test server may live at most: HAT_STACK_MAX_SECONDS (default 2 hours), so a forgotten
// server stops by itself even when nobody calls stop().
export const DEFAULT_MAX_SECONDS = 2 * 60 * 60;

export function maxLifetimeSeconds(requested?: number): number {
  if (requested !== undefined) return positiveSeconds(requested, 'maxSeconds');
  const fromEnv = process.env['HAT_STACK_MAX_SECONDS'];
  if (fromEnv === undefined || fromEnv.trim() === '') return DEFAULT_MAX_SECONDS;
  return positiveSeconds(Number(fromEnv), 'HAT_STACK_MAX_SECONDS');
}

function positiveSeconds(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of seconds, got ${value}`);
  return Math.ceil(value);
}
