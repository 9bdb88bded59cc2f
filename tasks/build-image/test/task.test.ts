import { describe, expect, it } from 'vitest';
import { BASE_VARIANTS } from '@hat/image';
import { BUILDAH_SECURITY_CONTEXT, definition } from '../src/task.ts';
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

  it('is built on the buildah variant of the HAT base, which runs as the root its securityContext asks for', () => {
    expect(definition.base).toBe('buildah');
    expect(BASE_VARIANTS.buildah.extraPackages).toContain('buildah');
    expect(BASE_VARIANTS.buildah.user).toBe(`${BUILDAH_SECURITY_CONTEXT.runAsUser}:${BUILDAH_SECURITY_CONTEXT.runAsGroup}`);
  });
});
