// The Tekton bundle format as libs/oci builds it (no registry needed; publish tests push and read real ones).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildTektonBundle, readFirstTarFile, singleFileTar } from '@hat/oci';

const task = Buffer.from('apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: demo # → ünïcode\nspec:\n  steps: []\n');

describe('Tekton bundle format', () => {
  it('a layer is a tar holding one file, readable by GNU tar, byte-for-byte the same every time', async () => {
    const tar = singleFileTar('task-demo.yaml', task);
    expect(tar.equals(singleFileTar('task-demo.yaml', task))).toBe(true);
    expect(tar.length % 512).toBe(0);
    expect(readFirstTarFile(tar)).toEqual({ name: 'task-demo.yaml', content: task });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-tar-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, 'layer.tar'), tar);
    expect((await execa('tar', ['-tvf', path.join(dir, 'layer.tar')])).stdout).toMatch(/^-rw-r--r-- 0\/0 +\d+ 1970-01-01 00:00 task-demo\.yaml$/);
    expect((await execa('tar', ['-xOf', path.join(dir, 'layer.tar')], { encoding: 'buffer', stripFinalNewline: false })).stdout).toEqual(new Uint8Array(task));
  });

  it('the manifest has one annotated layer per resource, kind lower-cased, and a stable digest', () => {
    const resources = [{ apiVersion: 'tekton.dev/v1', kind: 'Task', name: 'demo', content: task }];
    const bundle = buildTektonBundle(resources);
    expect(buildTektonBundle(resources).digest).toBe(bundle.digest);
    const manifest = JSON.parse(bundle.manifest.toString('utf8')) as { mediaType: string; layers: Array<{ mediaType: string; annotations: Record<string, string> }> };
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.layers).toEqual([
      expect.objectContaining({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        annotations: { 'dev.tekton.image.apiVersion': 'tekton.dev/v1', 'dev.tekton.image.kind': 'task', 'dev.tekton.image.name': 'demo' },
      }),
    ]);
  });

  it('refuses what Tekton would reject: the same resource twice, more than 10 resources, none', () => {
    const one = { apiVersion: 'tekton.dev/v1', kind: 'Task', name: 'demo', content: task };
    expect(() => buildTektonBundle([one, one])).toThrow(/cannot hold tekton.dev\/v1\/task\/demo twice/);
    expect(() => buildTektonBundle(Array.from({ length: 11 }, (_, i) => ({ ...one, name: `t${i}` })))).toThrow(/1 to 10 resources/);
    expect(() => buildTektonBundle([])).toThrow(/1 to 10 resources/);
  });
});
