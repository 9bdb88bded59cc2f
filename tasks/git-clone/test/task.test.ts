import { describe, expect, it } from 'vitest';
import { NON_ROOT_SECURITY_CONTEXT } from '@hat/task-spec';
import { task } from './helpers.ts';

interface Spec {
  steps: Array<{ securityContext: unknown }>;
  workspaces: Array<{ name: string; optional?: boolean; readOnly?: boolean }>;
  results: Array<{ name: string }>;
}

describe('the git-clone Task', () => {
  const spec = (task as { spec: Spec }).spec;

  it('has the workspaces of tektoncd/catalog git-clone, credentials optional and read-only', () => {
    expect(spec.workspaces.map((w) => [w.name, Boolean(w.optional), Boolean(w.readOnly)])).toEqual([
      ['output', false, false],
      ['basic-auth', true, true],
      ['ssh-directory', true, true],
    ]);
  });

  it('runs as non-root with every capability dropped, and emits the Chains type hints', () => {
    expect(spec.steps[0]?.securityContext).toEqual(NON_ROOT_SECURITY_CONTEXT);
    expect(spec.results.map((r) => r.name)).toEqual(['commit', 'url', 'committer-date', 'CHAINS-GIT_URL', 'CHAINS-GIT_COMMIT']);
  });
});
