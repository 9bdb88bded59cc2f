import { describe, expect, it } from 'vitest';
import { InputError } from '@hat/task-runtime';
import { chartRepositoryName, chartUrl, ociTagOf, parseOciRepository } from '../src/index.ts';

describe('parseOciRepository', () => {
  it('parses oci:// URLs and names charts in them', () => {
    const repo = parseOciRepository('oci://registry.example.com:5000/team/charts/');
    expect(repo).toEqual({ host: 'registry.example.com:5000', path: 'team/charts', url: 'oci://registry.example.com:5000/team/charts' });
    expect(chartUrl(repo, 'shop')).toBe('oci://registry.example.com:5000/team/charts/shop');
    expect(chartRepositoryName(repo, 'shop')).toBe('registry.example.com:5000/team/charts/shop');
    expect(parseOciRepository('oci://127.0.0.1:5000').path).toBe('');
    expect(ociTagOf('1.0.0+b.1')).toBe('1.0.0_b.1');
  });

  it('rejects classic HTTP repositories and bad names as bad input', () => {
    for (const url of ['https://charts.example.com', 'charts.example.com/x', 'oci://', 'oci://host/Upper', 'oci://ho st/x']) {
      expect(() => parseOciRepository(url)).toThrow(InputError);
    }
    expect(() => parseOciRepository('https://cm.example.com')).toThrow(/ChartMuseum/);
  });
});
