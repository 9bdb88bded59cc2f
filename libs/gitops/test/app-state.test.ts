import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { appPaths, applyDeploy, computeLockDigest, readAppFiles, readAppState, rfc3339Nano } from '../src/index.ts';

const P = appPaths('shop');
const CHART = 'apiVersion: v2\nname: shop\nversion: 0.1.0\ndependencies:\n  - name: shop\n    version: 1.0.0\n    repository: oci://r/charts\n';
const LOCK_BODY = 'dependencies:\n- name: shop\n  repository: oci://r/charts\n  version: 1.0.0\n';
const LOCK = `${LOCK_BODY}digest: ${computeLockDigest({ chart: CHART, lock: `${LOCK_BODY}digest: x\n` })}\ngenerated: "2025-01-01T00:00:00.123456789Z"\n`;

describe('readAppState', () => {
  it('reports the dependency, values key, image tag and lock state', () => {
    const state = readAppState({ chart: CHART, values: 'shop:\n  image:\n    tag: "1.0.0"\n', lock: LOCK }, P);
    expect(state).toEqual({
      dependency: { name: 'shop', version: '1.0.0', repository: 'oci://r/charts' },
      dependencyIndex: 0,
      valuesKey: 'shop',
      imageTag: '1.0.0',
      lock: { digest: state.lock?.expectedDigest, expectedDigest: state.lock?.expectedDigest, inSync: true, version: '1.0.0', generated: '2025-01-01T00:00:00.123456789Z' },
    });
  });
  it('reads values the way Helm does: numbers as Go prints them, first document only, missing tag', () => {
    expect(readAppState({ chart: CHART, values: 'shop:\n  image:\n    tag: 1.10\n' }, P).imageTag).toBe('1.1');
    expect(readAppState({ chart: CHART, values: 'shop:\n  image:\n    tag: 2\n---\nshop:\n  image:\n    tag: 3\n' }, P).imageTag).toBe('2');
    expect(readAppState({ chart: CHART, values: '' }, P).imageTag).toBeUndefined();
    expect(readAppState({ chart: CHART, values: 'shop:\n  image:\n    tag:\n' }, P).imageTag).toBeUndefined();
  });
  it('derives the app from the chart path when not given', () => {
    const chart = 'dependencies:\n  - {name: redis, version: 1.0.0, repository: oci://r}\n  - {name: shop, version: 2.0.0, repository: oci://r}\n';
    expect(readAppState({ chart, values: '' }, { chartPath: 'apps/shop/Chart.yaml', valuesPath: 'apps/shop/values.yaml' }).dependency.version).toBe('2.0.0');
  });
});

describe('applyDeploy', () => {
  it('reports previous values and which files changed', () => {
    const r = applyDeploy({ chart: CHART, values: 'shop:\n  image:\n    tag: 0.9.0\n' }, { ...P, version: '1.0.0' });
    expect(r).toMatchObject({ previousVersion: '1.0.0', previousImageTag: '0.9.0', changed: true, changedFiles: { chart: false, values: true, lock: false } });
    expect(r.chart).toBe(CHART);
  });
  it('creates values for an empty values.yaml', () => {
    expect(applyDeploy({ chart: CHART, values: '' }, { ...P, version: '2.0.0' }).values).toBe('shop:\n  image:\n    tag: 2.0.0\n');
  });
  it('inserts a missing version into the dependency (block and flow)', () => {
    const block = applyDeploy({ chart: 'dependencies:\n  - name: shop\n    repository: oci://r\n', values: '' }, { ...P, version: '2.0.0' });
    expect(block.chart).toBe('dependencies:\n  - name: shop\n    repository: oci://r\n    version: 2.0.0\n');
    const flow = applyDeploy({ chart: 'dependencies: [{name: shop, repository: oci://r}]\n', values: '' }, { ...P, version: '2.0.0' });
    expect(flow.chart).toBe('dependencies: [{name: shop, repository: oci://r, version: 2.0.0}]\n');
  });
  it('fills flow-style gaps: empty flow image, null values inside flow maps', () => {
    expect(applyDeploy({ chart: CHART, values: 'shop: {image: {}}\n' }, { ...P, version: '2.0.0' }).values).toBe('shop: {image: {tag: 2.0.0}}\n');
    expect(applyDeploy({ chart: CHART, values: 'shop: {image: }\n' }, { ...P, version: '2.0.0' }).values).toBe('shop: {image: {tag: 2.0.0}}\n');
    expect(applyDeploy({ chart: CHART, values: 'shop: {}\n' }, { ...P, version: '2.0.0' }).values).toBe('shop: {image: {tag: 2.0.0}}\n');
  });
  it('updates Chart.lock: version, digest (as Helm computes it) and generated; not when nothing changes', () => {
    const now = new Date('2026-03-04T05:06:07Z');
    const r = applyDeploy({ chart: CHART, values: '', lock: LOCK }, { ...P, version: '1.1.0', now });
    const lock = r.lock ?? '';
    expect(lock).toBe(`${LOCK_BODY.replace('version: 1.0.0', 'version: 1.1.0')}digest: ${computeLockDigest({ chart: r.chart, lock })}\ngenerated: "2026-03-04T05:06:07Z"\n`);
    expect(readAppState({ chart: r.chart, values: r.values, lock }, P).lock?.inSync).toBe(true);
    const same = applyDeploy({ chart: CHART, values: 'shop:\n  image:\n    tag: 1.0.0\n', lock: LOCK }, { ...P, version: '1.0.0', now });
    expect(same.changed).toBe(false);
    expect(same.lock).toBe(LOCK);
  });
  it('writes Go RFC3339Nano timestamps', () => {
    expect(rfc3339Nano(new Date('2026-03-04T05:06:07.120Z'))).toBe('2026-03-04T05:06:07.12Z');
    expect(rfc3339Nano(new Date('2026-03-04T05:06:07.000Z'))).toBe('2026-03-04T05:06:07Z');
  });
  it('rewrites a plain tag Helm reads as a number even when its text equals the version', () => {
    const r = applyDeploy({ chart: CHART, values: 'shop:\n  image:\n    tag: 1.10\n' }, { ...P, version: '1.10' });
    expect(r.values).toBe('shop:\n  image:\n    tag: "1.10"\n');
    expect(r.previousImageTag).toBe('1.1');
  });
  it('defaults the paths for messages when none are given', () => {
    expect(() => applyDeploy({ chart: 'x: [', values: '' }, { version: '1.0.0' })).toThrow(/^Chart\.yaml:1: malformed YAML/);
  });
});

describe('readAppFiles', () => {
  it('reads an app folder; values optional; lock only when present; undefined without Chart.yaml', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-gitops-fs-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    expect(await readAppFiles(dir, 'shop')).toBeUndefined();
    await mkdir(path.join(dir, 'apps/shop'), { recursive: true });
    await writeFile(path.join(dir, 'apps/shop/Chart.yaml'), CHART);
    expect(await readAppFiles(dir, 'shop')).toEqual({ files: { chart: CHART, values: '' }, paths: P });
    await writeFile(path.join(dir, 'apps/shop/Chart.lock'), LOCK);
    expect((await readAppFiles(dir, 'shop'))?.files.lock).toBe(LOCK);
  });
});
