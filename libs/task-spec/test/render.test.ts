import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parse } from 'yaml';
import { defineTask, paramInfos, renderReference, renderTaskObject, spliceReference, REFERENCE_START, REFERENCE_END } from '@hat/task-spec';
import { renderTaskYaml } from '@hat/task-spec/yaml';

const task = defineTask({
  name: 'sample',
  displayName: 'Sample',
  description: 'A sample task.',
  categories: ['Git'],
  tags: ['git', 'test'],
  params: z.object({
    app: z.string().describe('App name'),
    'dry-run': z.stringbool().default(false).describe('Dry | run'),
    note: z.string().optional().describe('A note'),
  }),
  results: { commit: { description: 'The commit' } },
  workspaces: [{ name: 'source', description: 'Sources' }, { name: 'cache', description: 'Cache', optional: true }],
  mounts: [{ name: 'creds', kind: 'secret', objectName: 'hat-creds', description: 'username, password' }],
});

describe('Task YAML', () => {
  const obj = renderTaskObject(task, { version: '1.2.0', image: 'r.example/hat/sample:1.2.0@sha256:' + 'a'.repeat(64) }) as any;

  it('declares params and results with explicit types, defaults as strings, required params without default', () => {
    expect(obj.apiVersion).toBe('tekton.dev/v1');
    expect(obj.spec.params).toEqual([
      { name: 'app', type: 'string', description: 'App name' },
      { name: 'dry-run', type: 'string', description: 'Dry | run', default: 'false' },
      { name: 'note', type: 'string', description: 'A note', default: '' },
    ]);
    expect(obj.spec.results).toEqual([{ name: 'commit', type: 'string', description: 'The commit' }]);
  });

  it('passes params to the step as env, never through a script', () => {
    const step = obj.spec.steps[0];
    expect(step.script).toBeUndefined();
    expect(step.command).toEqual(['node', '/opt/hat/task.mjs']);
    expect(step.env).toEqual(expect.arrayContaining([
      { name: 'PARAM_APP', value: '$(params.app)' },
      { name: 'PARAM_DRY_RUN', value: '$(params.dry-run)' },
      { name: 'RESULT_COMMIT_PATH', value: '$(results.commit.path)' },
      { name: 'WORKSPACE_SOURCE_PATH', value: '$(workspaces.source.path)' },
      { name: 'WORKSPACE_CACHE_BOUND', value: '$(workspaces.cache.bound)' },
      { name: 'MOUNT_CREDS_DIR', value: '/var/run/hat/creds' },
    ]));
    expect(JSON.stringify(step.command)).not.toContain('$(params');
  });

  it('runs non-root on a read-only root with an emptyDir /tmp, and mounts SRE-owned objects read-only', () => {
    const step = obj.spec.steps[0];
    expect(step.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(step.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'creds', mountPath: '/var/run/hat/creds', readOnly: true }]);
    expect(obj.spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }, { name: 'creds', secret: { secretName: 'hat-creds' } }]);
  });

  it("carries tektoncd/catalog's label and annotations", () => {
    expect(obj.metadata.labels['app.kubernetes.io/version']).toBe('1.2.0');
    expect(Object.keys(obj.metadata.annotations).sort()).toEqual([
      'tekton.dev/categories', 'tekton.dev/displayName', 'tekton.dev/pipelines.minVersion', 'tekton.dev/platforms', 'tekton.dev/tags',
    ]);
    expect(obj.metadata.annotations['tekton.dev/tags']).toBe('git, test');
  });

  it('renders YAML that parses back to the same object', () => {
    const text = renderTaskYaml(task, { version: '1.2.0', image: 'x/hat/sample:dev' });
    expect(text.startsWith('# Generated')).toBe(true);
    expect(parse(text)).toEqual(renderTaskObject(task, { version: '1.2.0', image: 'x/hat/sample:dev' }));
  });

  it('refuses a param without a description', () => {
    const bad = defineTask({ ...task, params: z.object({ x: z.string() }) });
    expect(() => paramInfos(bad)).toThrow(/param x has no \.describe\(\)/);
  });
});

describe('README reference', () => {
  it('renders params and results tables and splices them between the markers', () => {
    const ref = renderReference([task]);
    expect(ref).toContain('| `app` | (required) | App name |');
    expect(ref).toContain('| `dry-run` | `"false"` | Dry \\| run |');
    expect(ref).toContain('| `commit` | The commit |');
    const readme = `# x\n\n${REFERENCE_START}\nold\n${REFERENCE_END}\n\n## Failure modes\n`;
    const out = spliceReference(readme, ref);
    expect(out).toContain('## Failure modes');
    expect(out).not.toContain('\nold\n');
    expect(spliceReference(out, ref)).toBe(out);
  });
});
