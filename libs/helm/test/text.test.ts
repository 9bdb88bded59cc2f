import { describe, expect, it } from 'vitest';
import { InputError } from '@hat/task-runtime';
import { chartRepositoryName, chartUrl, InvalidChartError, ociTagOf, parseOciRepository, setYamlScalars } from '../src/index.ts';

describe('setYamlScalars', () => {
  it('splices existing scalars, keeping quoting, comments and everything else byte for byte', () => {
    const text = "# top\napiVersion: v2\nname: demo   # the name\nversion: 0.1.0 # bumped by CI\nappVersion: \"1.16.0\"\nkeep:   'as is'\n";
    const out = setYamlScalars(text, [
      { path: ['version'], value: '1.2.3-main.4.g0a1b2c3' },
      { path: ['appVersion'], value: '1.2.3-main.4.g0a1b2c3' },
    ]);
    expect(out).toBe(text.replace('0.1.0', '1.2.3-main.4.g0a1b2c3').replace('"1.16.0"', '"1.2.3-main.4.g0a1b2c3"'));
  });

  it('quotes a plain value that would not read back as the same string', () => {
    expect(setYamlScalars('version: 1\n', [{ path: ['version'], value: '1.0' }])).toBe('version: "1.0"\n');
    expect(setYamlScalars("tag: 'x'\n", [{ path: ['tag'], value: "it's" }])).toBe("tag: 'it''s'\n");
  });

  it('appends a missing top-level key as one line, keeping CRLF', () => {
    expect(setYamlScalars('apiVersion: v2\r\nname: a\r\nversion: 1.0.0', [{ path: ['appVersion'], value: '2.0.0' }])).toBe(
      'apiVersion: v2\r\nname: a\r\nversion: 1.0.0\r\nappVersion: "2.0.0"\r\n',
    );
  });

  it('falls back to re-serialising for nested keys that are missing', () => {
    const out = setYamlScalars('replicaCount: 1\nimage:\n  pullPolicy: Always\n', [
      { path: ['image', 'repository'], value: 'r.example/app' },
      { path: ['image', 'tag'], value: '1.0.0' },
    ]);
    expect(out).toBe('replicaCount: 1\nimage:\n  pullPolicy: Always\n  repository: r.example/app\n  tag: 1.0.0\n');
    expect(setYamlScalars('', [{ path: ['image', 'tag'], value: '1.0.0' }])).toBe('image:\n  tag: 1.0.0\n');
  });

  it('rejects invalid YAML', () => {
    expect(() => setYamlScalars('a: [\n', [{ path: ['a'], value: 'b' }], 'values.yaml')).toThrow(InvalidChartError);
  });
});

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
