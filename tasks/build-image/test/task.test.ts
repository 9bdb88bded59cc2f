import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@hat/task-runner';
import { BUILDAH_SECURITY_CONTEXT } from '../src/task.ts';
import { task } from './helpers.ts';

interface Spec {
  steps: Array<{ securityContext: unknown; env: Array<{ name: string; value: string }> }>;
  workspaces: Array<{ name: string; optional?: boolean; readOnly?: boolean }>;
}

describe('the build-image Task', () => {
  const spec = (task as { spec: Spec }).spec;

  it('runs as root with only SETUID, SETGID and SETFCAP, never privileged', () => {
    expect(spec.steps[0]?.securityContext).toEqual(BUILDAH_SECURITY_CONTEXT);
    expect(BUILDAH_SECURITY_CONTEXT.capabilities.add).toEqual(['SETUID', 'SETGID', 'SETFCAP']);
    expect(BUILDAH_SECURITY_CONTEXT.privileged).toBe(false);
  });

  it('takes registry credentials from an optional read-only dockerconfig workspace, not params', () => {
    expect(spec.workspaces).toEqual([
      expect.objectContaining({ name: 'source', readOnly: true }),
      expect.objectContaining({ name: 'dockerconfig', optional: true, readOnly: true }),
    ]);
    expect(JSON.stringify(task)).not.toMatch(/password|token/i);
  });

  it('ships an image on the same pinned Node image as Dockerfile.base, with buildah from the archive the tests use', async () => {
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(await readFile(path.join(repoRoot, 'Dockerfile.base'), 'utf8'))?.[1];
    const own = await readFile(path.join(repoRoot, 'tasks/build-image/Dockerfile'), 'utf8');
    expect(own).toMatch(/^ARG NODE_IMAGE=\S+@sha256:[0-9a-f]{64}$/m);
    expect(own).toContain(`ARG NODE_IMAGE=${base ?? '?'}`);
    expect(own).toMatch(/apt-get install -y --no-install-recommends buildah/);
    expect(own).toContain('COPY tasks/build-image/dist/task.mjs /opt/hat/task.mjs');
  });
});
