// The versioning rule: what a change to a Task's contract means for its next version (no servers needed).
import { describe, expect, it } from 'vitest';
import { renderTaskObject } from '@hat/task-spec';
import { bumpVersion, compareCatalogVersions } from '../src/catalog-version.ts';
import { compareContracts, contractOf, type Contract } from '../src/contract.ts';
import { fakeDefinitions } from './helpers.ts';

const contract = (parts: { params?: Record<string, string | undefined>; results?: string[]; workspaces?: Record<string, { optional?: boolean; readOnly?: boolean }>; mounts?: Record<string, string> }): Contract => ({
  params: new Map(Object.entries(parts.params ?? {})),
  results: new Set(parts.results ?? []),
  workspaces: new Map(Object.entries(parts.workspaces ?? {}).map(([k, v]) => [k, { optional: Boolean(v.optional), readOnly: Boolean(v.readOnly) }])),
  mounts: new Map(Object.entries(parts.mounts ?? {}).map(([k, v]) => [k, { object: v.replace(/\?$/, ''), optional: v.endsWith('?') }])),
});

const base = contract({ params: { app: undefined, 'dry-run': 'false' }, results: ['commit'], workspaces: { source: {}, cache: { optional: true } }, mounts: { '/var/run/hat/creds': 'secret/hat-gitops-test' } });

describe('versioning rule', () => {
  it.each([
    ['a removed param', { params: { app: undefined } }, 'major', 'param dry-run removed'],
    ['a renamed param (removed + added)', { params: { application: undefined, 'dry-run': 'false' } }, 'major', 'param app removed'],
    ['a param added without default', { params: { app: undefined, 'dry-run': 'false', env: undefined } }, 'major', 'param env added without default'],
    ['a param losing its default', { params: { app: undefined, 'dry-run': undefined } }, 'major', 'param dry-run lost its default (now required)'],
    ['a removed result', { results: [] }, 'major', 'result commit removed'],
    ['a removed workspace', { workspaces: { source: {} } }, 'major', 'workspace cache removed'],
    ['a workspace made required', { workspaces: { source: {}, cache: {} } }, 'major', 'workspace cache made required'],
    ['a required workspace added', { workspaces: { source: {}, cache: { optional: true }, out: {} } }, 'major', 'workspace out added as required'],
    ['a changed mount', { mounts: { '/var/run/hat/creds': 'secret/other' } }, 'major', 'mount /var/run/hat/creds changed: secret/hat-gitops-test → secret/other'],
    ['a required mount added', { mounts: { '/var/run/hat/creds': 'secret/hat-gitops-test', '/x': 'configMap/x' } }, 'major', 'mount /x (configMap/x) added'],
    ['a param added with a default', { params: { app: undefined, 'dry-run': 'false', depth: '1' } }, 'minor', 'param depth added (default "1")'],
    ['a changed default', { params: { app: undefined, 'dry-run': 'true' } }, 'minor', 'param dry-run default "false" → "true"'],
    ['a result added', { results: ['commit', 'url'] }, 'minor', 'result url added'],
    ['an optional workspace added', { workspaces: { source: {}, cache: { optional: true }, ssh: { optional: true } } }, 'minor', 'optional workspace ssh added'],
    ['a workspace made optional', { workspaces: { source: { optional: true }, cache: { optional: true } } }, 'minor', 'workspace source made optional'],
    ['a mount made optional', { mounts: { '/var/run/hat/creds': 'secret/hat-gitops-test?' } }, 'minor', 'mount /var/run/hat/creds (secret/hat-gitops-test) made optional'],
    ['an optional mount added', { mounts: { '/var/run/hat/creds': 'secret/hat-gitops-test', '/y': 'configMap/y?' } }, 'minor', 'optional mount /y (configMap/y) added'],
  ] as const)('%s → %s', (_what, change, bump, reason) => {
    const after = contract({
      params: { app: undefined, 'dry-run': 'false' },
      results: ['commit'],
      workspaces: { source: {}, cache: { optional: true } },
      mounts: { '/var/run/hat/creds': 'secret/hat-gitops-test' },
      ...(change as Parameters<typeof contract>[0]),
    });
    const result = compareContracts(base, after);
    expect(result.bump).toBe(bump);
    expect(result.reasons).toContain(`${bump}: ${reason}`);
  });

  it('the same contract is a patch with no reasons (the caller adds what else changed)', () => {
    expect(compareContracts(base, base)).toEqual({ bump: 'patch', reasons: [] });
  });

  it('several changes: the largest bump wins and every reason is listed', () => {
    const after = contract({ params: { app: undefined, depth: '1' }, results: ['commit', 'url'], workspaces: { source: {}, cache: { optional: true } }, mounts: { '/var/run/hat/creds': 'secret/hat-gitops-test' } });
    expect(compareContracts(base, after)).toEqual({ bump: 'major', reasons: ['major: param dry-run removed', 'minor: param depth added (default "1")', 'minor: result url added'] });
  });

  it('reads the contract back from a rendered Task (what a published YAML holds)', () => {
    const [, , beta] = fakeDefinitions();
    const c = contractOf(renderTaskObject(beta!, { version: '1.0.0', image: 'x' }));
    expect([...c.params]).toEqual([['who', undefined], ['loud', 'false']]);
    expect([...c.results]).toEqual(['greeting']);
    expect([...c.mounts]).toEqual([['/var/run/hat/settings', { object: 'configMap/beta-settings', optional: false }]]);
  });

  it('bumps and orders versions numerically', () => {
    expect(bumpVersion('1.9.3', 'major')).toBe('2.0.0');
    expect(bumpVersion('1.9.3', 'minor')).toBe('1.10.0');
    expect(bumpVersion('1.9.3', 'patch')).toBe('1.9.4');
    expect(['1.10.0', '1.9.0', '10.0.0', '2.0.0'].sort(compareCatalogVersions)).toEqual(['1.9.0', '1.10.0', '2.0.0', '10.0.0']);
  });
});
