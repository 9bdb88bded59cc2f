import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chartContent,
  diffChartContent,
  helmVersion,
  HelmLintError,
  InvalidChartError,
  lint,
  packageChart,
  readChartFile,
  readTarGz,
  template,
} from '../src/index.ts';
import { createChart, tempDir } from './fixture.ts';

describe('helm CLI (chart commands)', () => {
  it('reports the pinned helm version', async () => {
    const v = await helmVersion();
    expect(v.version).toMatch(/^v3\.\d+\.\d+/);
    expect(v.goVersion).toMatch(/^go1\./);
  });

  it('lints, packages and templates a chart', async () => {
    const chart = await createChart('demo');
    expect((await lint(chart)).messages).toContain('[INFO] Chart.yaml: icon is recommended');
    const out = await tempDir();
    const pkg = await packageChart(chart, { destination: path.join(out, 'dist'), version: '1.2.3', appVersion: '1.2.3' });
    expect(pkg.path).toBe(path.join(out, 'dist', 'demo-1.2.3.tgz'));
    const manifests = await template(chart, { releaseName: 'r', namespace: 'ns', setString: { 'image.tag': '007', replicaCount: '3' } });
    expect(manifests).toContain('image: "nginx:007"');
    expect(manifests).toContain('replicas: 3');
  });

  it('fails lint with helm\'s [ERROR] lines in one message', async () => {
    const chart = await createChart('bad');
    await writeFile(path.join(chart, 'templates', 'x.yaml'), '{{ include "nope" . }}\n');
    const err = await lint(chart).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmLintError);
    expect((err as HelmLintError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/^helm lint of bad failed: \[ERROR\] templates\/: .*no template "nope"/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('sees the same content in two packagings of one chart, though the archives differ byte for byte', async () => {
    const chart = await createChart('same');
    const out = await tempDir();
    const a = await packageChart(chart, { destination: path.join(out, 'a') });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const b = await packageChart(chart, { destination: path.join(out, 'b') });
    expect(await readFile(a.path)).not.toEqual(await readFile(b.path));
    const [ca, cb] = [await chartContent(a.path), await chartContent(b.path)];
    expect(ca.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(cb.digest).toBe(ca.digest);
    expect(diffChartContent(ca, cb)).toEqual([]);

    await writeFile(path.join(chart, 'templates', 'NOTES.txt'), 'changed\n');
    await writeFile(path.join(chart, 'templates', 'extra.yaml'), '# new\n');
    const c = await chartContent((await packageChart(chart, { destination: path.join(out, 'c') })).path);
    expect(c.digest).not.toBe(ca.digest);
    expect(diffChartContent(ca, c)).toEqual(['~ same/templates/NOTES.txt', '+ same/templates/extra.yaml']);
  });

  it('reads long paths from helm\'s archives (ustar prefix and PAX headers)', async () => {
    const chart = await createChart('long');
    const deep = path.join(chart, 'files', 'a'.repeat(60), 'b'.repeat(60));
    await mkdir(deep, { recursive: true });
    await writeFile(path.join(deep, 'c.txt'), 'deep\n');
    await writeFile(path.join(chart, 'files', `${'x'.repeat(120)}.txt`), 'wide\n');
    const pkg = await packageChart(chart, { destination: await tempDir() });
    const files = new Map((await readTarGz(await readFile(pkg.path))).map((f) => [f.path, f.data.toString()]));
    expect(files.get(`long/files/${'a'.repeat(60)}/${'b'.repeat(60)}/c.txt`)).toBe('deep\n');
    expect(files.get(`long/files/${'x'.repeat(120)}.txt`)).toBe('wide\n');
    expect(files.has('long/Chart.yaml')).toBe(true);
  });

  it('reads Chart.yaml and says what is wrong with a bad one', async () => {
    const chart = await createChart('meta');
    const file = await readChartFile(chart);
    expect(file).toMatchObject({ apiVersion: 'v2', name: 'meta', version: '0.1.0', appVersion: '1.16.0', dependencies: [] });
    const bad = async (text: string): Promise<string> => {
      await writeFile(path.join(chart, 'Chart.yaml'), text);
      const err = await readChartFile(chart).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidChartError);
      return (err as Error).message;
    };
    expect(await bad('name: [x\n')).toMatch(/^invalid Chart\.yaml: /);
    expect(await bad('- a\n')).toBe('invalid Chart.yaml: not a YAML mapping');
    expect(await bad('name: x\n')).toMatch(/apiVersion must be v2/);
    expect(await bad('apiVersion: v2\nname: a b\n')).toMatch(/name must be/);
    expect(await bad('apiVersion: v2\nname: a\ndependencies: {}\n')).toMatch(/dependencies is not a list/);
    expect(await readChartFile(path.join(chart, 'missing')).catch((e: Error) => e.message)).toMatch(/^no Chart\.yaml in /);
  });
});
