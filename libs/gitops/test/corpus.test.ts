// Real-world-shaped env repo files (test/corpus/<case>/): each deploy must change exactly the dependency
// version and the image tag (and the lock's version/digest/generated), keep every other byte, match the
// reviewed golden files in <case>/expected/, and be a no-op when repeated.
// Regenerate goldens after a reviewed change with: UPDATE_GOLDEN=1 npx vitest run libs/gitops/test/corpus.test.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyDeploy, readAppState, ociTagForVersion } from '../src/index.ts';
import { expectedLockDigest } from '../src/helm-digest.ts';
import type { AppFiles } from '../src/index.ts';
import { parseYamlFile } from '../src/yaml-source.ts';
import { addedLines, expectSameLineEndings, expectSingleSplice, loadCorpus, scalarRange, valueAt, withValue } from './helpers.ts';

const NOW = new Date('2026-01-02T03:04:05.678Z');
const cases = loadCorpus();

function paths(app: string) {
  return { app, chartPath: `apps/${app}/Chart.yaml`, valuesPath: `apps/${app}/values.yaml`, lockPath: `apps/${app}/Chart.lock` };
}

describe('corpus', () => {
  it('has at least 10 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  for (const c of cases) {
    describe(`${c.name}: ${c.meta.description}`, () => {
      const { app, version } = c.meta;
      const tag = ociTagForVersion(version);
      const before = readAppState(c.files, paths(app));
      const result = applyDeploy(c.files, { ...paths(app), version, now: NOW });
      const depPath = ['dependencies', before.dependencyIndex, 'version'];
      const tagPath = [before.valuesKey, 'image', 'tag'];

      it('matches the reviewed golden files', () => {
        const out: AppFiles = result.lock === undefined ? { chart: result.chart, values: result.values } : { chart: result.chart, values: result.values, lock: result.lock };
        if (process.env['UPDATE_GOLDEN'] === '1') {
          mkdirSync(path.join(c.dir, 'expected'), { recursive: true });
          writeFileSync(path.join(c.dir, 'expected', 'Chart.yaml'), out.chart);
          writeFileSync(path.join(c.dir, 'expected', 'values.yaml'), out.values);
          if (out.lock !== undefined) writeFileSync(path.join(c.dir, 'expected', 'Chart.lock'), out.lock);
          return;
        }
        expect(out.chart).toBe(c.expected.chart);
        expect(out.values).toBe(c.expected.values);
        expect(out.lock).toBe(c.expected.lock);
      });

      it('reads back the new version and image tag, as Helm would', () => {
        const after = readAppState({ chart: result.chart, values: result.values, ...(result.lock === undefined ? {} : { lock: result.lock }) }, paths(app));
        expect(after.dependency.version).toBe(version);
        expect(after.imageTag).toBe(tag);
        expect(result.previousVersion).toBe(before.dependency.version);
        expect(result.previousImageTag).toBe(before.imageTag);
        expect(result.changed).toBe(true);
      });

      it('changes only the version scalar in Chart.yaml', () => {
        expectSingleSplice(c.files.chart, result.chart, scalarRange(c.files.chart, depPath));
        expectSameLineEndings(c.files.chart, result.chart);
        expect(withValue(result.chart, undefined, '')).toEqual(withValue(c.files.chart, depPath, version));
      });

      it('changes only the image tag in values.yaml (or inserts just the missing keys)', () => {
        const range = scalarRange(c.files.values, tagPath);
        const added = expectSingleSplice(c.files.values, result.values, range);
        if (range === undefined) {
          const lines = addedLines(c.files.values, result.values);
          expect(lines.length).toBeGreaterThan(0);
          for (const l of lines) expect(l).toMatch(/^( *[\w.-]+:( [^#\s]+)?( +#.*)?|.*[{,] *tag: [^ ]+ *}.*)$/);
          expect(added).toContain(tag);
        }
        expectSameLineEndings(c.files.values, result.values);
        expect(result.values.startsWith('\ufeff')).toBe(c.files.values.startsWith('\ufeff'));
        expect(withValue(result.values, undefined, '')).toEqual(withValue(c.files.values, tagPath, tag));
        expect(valueAt(result.values, tagPath)).toBe(tag);
      });

      if (c.files.lock !== undefined) {
        it('keeps Chart.lock consistent: locked version, Helm digest, generated', () => {
          const lock = result.lock ?? '';
          const chart = parseYamlFile('Chart.yaml', result.chart);
          expect(valueAt(lock, ['digest'])).toBe(expectedLockDigest(chart, parseYamlFile('Chart.lock', lock)));
          expect(valueAt(lock, ['dependencies', before.dependencyIndex, 'version'])).toBe(version);
          expect(valueAt(lock, ['generated'])).toBe('2026-01-02T03:04:05.678Z');
          expect(addedLines(c.files.lock ?? '', lock)).toHaveLength(3);
        });
      }

      it('is a no-op when applied again', () => {
        const again = applyDeploy({ chart: result.chart, values: result.values, ...(result.lock === undefined ? {} : { lock: result.lock }) }, { ...paths(app), version, now: new Date() });
        expect(again.changed).toBe(false);
        expect(again.chart).toBe(result.chart);
        expect(again.values).toBe(result.values);
        expect(again.lock).toBe(result.lock);
      });
    });
  }
});
