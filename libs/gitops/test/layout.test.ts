import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appDir, appFolder, appPaths, GitopsError, layoutFile, parseLayout, readAppFiles, shardOf } from '../src/index.ts';

describe('env repo layout', () => {
  it('is flat without hat.yaml or without a layout key; sharded when it says so, and layoutFile reads back', () => {
    expect(parseLayout(undefined)).toBe('flat');
    expect(parseLayout('# nothing yet\n')).toBe('flat');
    expect(parseLayout('other: 1\n')).toBe('flat');
    expect(parseLayout(layoutFile('sharded'))).toBe('sharded');
    expect(parseLayout(layoutFile('flat'))).toBe('flat');
  });

  it('refuses an unknown layout or broken YAML in one line naming hat.yaml (exit code 1: the repo, not the input)', () => {
    for (const [text, message] of [
      ['layout: diagonal\n', 'hat.yaml: layout: expected flat or sharded, got "diagonal"'],
      ['layout: [sharded]\n', 'hat.yaml: layout: expected flat or sharded, got ["sharded"]'],
      ['layout: "sharded\n', /^hat\.yaml: /],
    ] as const) {
      let err: unknown;
      try {
        parseLayout(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GitopsError);
      expect((err as GitopsError).message).toMatch(typeof message === 'string' ? new RegExp(`^${message.replace(/[[\]"().]/g, '\\$&')}$`) : message);
      expect((err as GitopsError).message).not.toContain('\n');
      expect((err as GitopsError).exitCode).toBe(1);
    }
  });

  it('puts an app in apps/<app>/, or in apps/<first two hex digits of its SHA-256>/<app>/', () => {
    expect(shardOf('web')).toBe('4b');
    expect(shardOf('api')).toBe('14');
    expect(appDir('web', 'flat')).toBe('apps/web');
    expect(appDir('web', 'sharded')).toBe('apps/4b/web');
    expect(appPaths('web', 'sharded')).toEqual({ app: 'web', chartPath: 'apps/4b/web/Chart.yaml', valuesPath: 'apps/4b/web/values.yaml', lockPath: 'apps/4b/web/Chart.lock' });
    // 20,000 apps spread over the 256 shards: none holds more than twice its share.
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) counts.set(shardOf(`app-${i}`), (counts.get(shardOf(`app-${i}`)) ?? 0) + 1);
    expect(counts.size).toBe(256);
    expect(Math.max(...counts.values())).toBeLessThan((2 * 20_000) / 256);
  });

  it('appFolder chooses the folder from the root file it reads; readAppFiles reads where hat.yaml says', async () => {
    const reads: string[] = [];
    const root = (files: Record<string, string>) => async (name: string) => (reads.push(name), files[name]);
    expect(await appFolder('web')(root({}))).toEqual(['apps/web']);
    expect(await appFolder('web')(root({ 'hat.yaml': layoutFile('sharded') }))).toEqual(['apps/4b/web']);
    expect(reads).toEqual(['hat.yaml', 'hat.yaml']);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-layout-test-'));
    try {
      await writeFile(path.join(dir, 'hat.yaml'), layoutFile('sharded'));
      expect(await readAppFiles(dir, 'web')).toBeUndefined();
      await mkdir(path.join(dir, 'apps/4b/web'), { recursive: true });
      await writeFile(path.join(dir, 'apps/4b/web/Chart.yaml'), 'apiVersion: v2\n');
      expect(await readAppFiles(dir, 'web')).toEqual({ files: { chart: 'apiVersion: v2\n', values: '' }, paths: appPaths('web', 'sharded') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
