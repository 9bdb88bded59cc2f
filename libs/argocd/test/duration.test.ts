import { describe, expect, it } from 'vitest';
import { durationMs } from '../src/index.ts';

describe('durationMs', () => {
  it('reads a whole number of seconds, minutes or hours', () => {
    expect([durationMs('90s'), durationMs('5m'), durationMs('1h'), durationMs(' 2m ')]).toEqual([90_000, 300_000, 3_600_000, 120_000]);
  });

  it('refuses anything else: zero, fractions, other units, Go compounds, nothing', () => {
    for (const bad of ['0s', '1.5m', '5 minutes', '1h30m', '10', '', '-5m', '1d']) expect(durationMs(bad), bad).toBeUndefined();
  });
});
