import { describe, expect, it } from 'vitest';
import { GitopsError, setScalars } from '../src/index.ts';

describe('setScalars (build copies of app charts)', () => {
  it('splices existing scalars, keeping quoting, comments and everything else byte for byte', () => {
    const text = "# top\napiVersion: v2\nname: demo   # the name\nversion: 0.1.0 # bumped by CI\nappVersion: \"1.16.0\"\nkeep:   'as is'\n";
    const out = setScalars('Chart.yaml', text, [
      { path: ['version'], value: '1.2.3-main.4.g0a1b2c3' },
      { path: ['appVersion'], value: '1.2.3-main.4.g0a1b2c3' },
    ]);
    expect(out).toBe(text.replace('0.1.0', '1.2.3-main.4.g0a1b2c3').replace('"1.16.0"', '"1.2.3-main.4.g0a1b2c3"'));
  });

  it('quotes a plain value that would not read back as the same string, and keeps single quotes', () => {
    expect(setScalars('Chart.yaml', 'version: 1\n', [{ path: ['version'], value: '1.0' }])).toBe('version: "1.0"\n');
    expect(setScalars('values.yaml', "tag: 'x'\n", [{ path: ['tag'], value: "it's" }])).toBe("tag: 'it''s'\n");
  });

  it('adds missing keys with the file’s line endings and indentation, nested ones too', () => {
    expect(setScalars('Chart.yaml', 'apiVersion: v2\r\nname: a\r\nversion: 1.0.0\r\n', [{ path: ['appVersion'], value: '2.0.0' }])).toBe(
      'apiVersion: v2\r\nname: a\r\nversion: 1.0.0\r\nappVersion: 2.0.0\r\n',
    );
    const out = setScalars('values.yaml', 'replicaCount: 1\nimage:\n    pullPolicy: Always\n', [
      { path: ['image', 'repository'], value: 'r.example/app' },
      { path: ['image', 'tag'], value: '1.0.0' },
    ]);
    expect(out).toBe('replicaCount: 1\nimage:\n    pullPolicy: Always\n    repository: r.example/app\n    tag: 1.0.0\n');
    expect(setScalars('values.yaml', '', [{ path: ['image', 'tag'], value: '1.0.0' }])).toBe('image:\n  tag: 1.0.0\n');
  });

  it('rejects malformed YAML naming the file and line', () => {
    expect(() => setScalars('values.yaml', 'a: 1\nb: [\n', [{ path: ['a'], value: 'b' }])).toThrow(GitopsError);
    expect(() => setScalars('values.yaml', 'a: 1\nb: [\n', [{ path: ['a'], value: 'b' }])).toThrow(/^values\.yaml:2: malformed YAML/);
  });
});
