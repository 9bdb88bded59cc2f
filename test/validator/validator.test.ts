// hat-tekton-validate: Tekton's own webhook validation (tektoncd/pipeline, tektoncd/triggers) plus HAT's checks,
// run through libs/catalog/src/validate.ts and, for exit codes, directly.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '@hat/task-runtime';
import { validateFiles, validatorPath } from '../../libs/catalog/src/validate.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => path.join(here, 'fixtures', name);
const placeholder = 'localhost/hat/[a-z0-9-]+:dev';

beforeAll(async () => {
  // Idempotent: seconds when the binary is up to date; a cold build downloads modules and compiles (~2 min).
  await execa('bash', [path.join(here, 'build.sh'), path.dirname(validatorPath)], { stdio: 'inherit' });
  expect(existsSync(validatorPath)).toBe(true);
}, 900_000);

async function problemsOf(name: string): Promise<string[]> {
  const res = await validateFiles([fixture(name)], { allowImages: [placeholder] });
  expect(res.ok).toBe(res.problems.length === 0);
  return res.problems;
}

const at = (name: string, rest: string): string => `${fixture(name)}: ${rest}`;

describe('Task', () => {
  it('accepts a valid Task (params via env, results, pinned image) and skips kinds it does not know', async () => {
    expect(await validateFiles([fixture('task-valid.yaml')])).toEqual({ ok: true, problems: [], checked: { files: 1, objects: 1, unknown: 1 } });
  });

  it('rejects a metadata name with uppercase and underscore', async () => {
    expect(await problemsOf('task-bad-name.yaml')).toEqual([
      at('task-bad-name.yaml', 'Task/Bad_Name: metadata.name: invalid resource name "Bad_Name": must be a valid DNS label'),
    ]);
  });

  it('rejects a reference to an undeclared param', async () => {
    expect(await problemsOf('task-undeclared-param.yaml')).toEqual([
      at('task-undeclared-param.yaml', 'Task/undeclared: spec.steps[0].env[PARAM_NOPE]: non-existent variable in "$(params.nope)"'),
    ]);
  });

  it('rejects duplicate step names', async () => {
    expect(await problemsOf('task-duplicate-steps.yaml')).toEqual([
      at('task-duplicate-steps.yaml', 'Task/dup-steps: spec.steps[1].name: expected exactly one, got both'),
    ]);
  });

  it('rejects $(params.x) inside a script', async () => {
    const problems = await problemsOf('task-param-in-script.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      new RegExp(`^${escapeRe(fixture('task-param-in-script.yaml'))}: Task/param-in-script: spec\\.steps\\[0\\]\\.script: script interpolates \\$\\(params`),
    );
  });

  it('rejects an image not pinned by digest, but accepts the allowed placeholder', async () => {
    const unpinned = (i: number, image: string): string =>
      at('task-unpinned-image.yaml', `Task/unpinned: spec.steps[${i}].image: image "${image}" is not pinned by digest (@sha256:<64 hex>)`);
    expect(await problemsOf('task-unpinned-image.yaml')).toEqual([unpinned(0, 'docker.io/library/alpine:3.20')]);
    const strict = await validateFiles([fixture('task-unpinned-image.yaml')]);
    expect(strict).toMatchObject({ ok: false, problems: [unpinned(0, 'docker.io/library/alpine:3.20'), unpinned(1, 'localhost/hat/greet:dev')] });
  });

  it('rejects duplicate result names', async () => {
    expect(await problemsOf('task-duplicate-results.yaml')).toEqual([
      at('task-duplicate-results.yaml', 'Task/dup-results: spec.results[1].name: duplicate result name "out" (also results[0])'),
    ]);
  });

  it('rejects an unknown field, as the API server would', async () => {
    expect(await problemsOf('task-unknown-field.yaml')).toEqual([
      at('task-unknown-field.yaml', 'Task/unknown-field: spec.steps[0].scirpt: unknown field'),
    ]);
  });
});

describe('Pipeline', () => {
  it('accepts a valid Pipeline', async () => {
    expect(await problemsOf('pipeline-valid.yaml')).toEqual([]);
  });

  it('rejects runAfter naming an unknown task', async () => {
    expect(await problemsOf('pipeline-invalid.yaml')).toEqual([
      at(
        'pipeline-invalid.yaml',
        "Pipeline/bad-order: spec.tasks: invalid value: couldn't add link between deploy and missing: task deploy depends on missing but missing wasn't present in Pipeline",
      ),
    ]);
  });

  it('rejects $(params.x) inside an inline taskSpec script', async () => {
    const problems = await problemsOf('pipeline-inline-script-param.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(': Pipeline/inline-script-param: spec.tasks[0].taskSpec.steps[0].script: script interpolates $(params');
  });
});

describe('Triggers', () => {
  it('accepts a valid TriggerBinding, TriggerTemplate and EventListener', async () => {
    expect(await problemsOf('triggers-valid.yaml')).toEqual([]);
  });

  it('rejects a TriggerTemplate using an undeclared param', async () => {
    expect(await problemsOf('triggertemplate-invalid.yaml')).toEqual([
      at(
        'triggertemplate-invalid.yaml',
        "TriggerTemplate/undeclared: spec.resourcetemplates[0]: invalid value: undeclared param '$(tt.params.nope)' ('$(tt.params.nope)' must be declared in spec.params)",
      ),
    ]);
  });
});

describe('the binary', () => {
  it('prints no problem and exits 0 for valid files, all at once; says on stderr what it checked', async () => {
    const res = await execa(validatorPath, ['task-valid.yaml', 'pipeline-valid.yaml', 'triggers-valid.yaml'], {
      cwd: path.join(here, 'fixtures'),
      reject: false,
    });
    expect({ exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr }).toEqual({ exitCode: 0, stdout: '', stderr: 'hat-tekton-validate: checked files=3 objects=5 unknown=1' });
  });

  it('exits 1 with one line per problem, each naming file and resource', async () => {
    const res = await execa(validatorPath, ['task-bad-name.yaml', 'task-duplicate-results.yaml'], { cwd: path.join(here, 'fixtures'), reject: false });
    expect(res.exitCode).toBe(1);
    expect(res.stdout.split('\n')).toEqual([
      'task-bad-name.yaml: Task/Bad_Name: metadata.name: invalid resource name "Bad_Name": must be a valid DNS label',
      'task-duplicate-results.yaml: Task/dup-results: spec.results[1].name: duplicate result name "out" (also results[0])',
    ]);
  });

  it('exits 2 on a YAML syntax error, naming the file and the line', async () => {
    const res = await execa(validatorPath, ['syntax-error.yaml'], { cwd: path.join(here, 'fixtures'), reject: false });
    expect(res.exitCode).toBe(2);
    expect(res.stdout).toBe("syntax-error.yaml: yaml: line 9: did not find expected ',' or ']'");
    expect(await validateFiles([fixture('syntax-error.yaml')])).toMatchObject({ ok: false, problems: [at('syntax-error.yaml', res.stdout.slice('syntax-error.yaml: '.length))] });
  });

  it('exits 2 on an unreadable file and on usage errors', async () => {
    const missing = await execa(validatorPath, ['nope.yaml'], { cwd: path.join(here, 'fixtures'), reject: false });
    expect({ exitCode: missing.exitCode, stdout: missing.stdout }).toEqual({ exitCode: 2, stdout: 'nope.yaml: cannot read: no such file or directory' });
    const usage = await execa(validatorPath, ['--bogus'], { reject: false });
    expect(usage.exitCode).toBe(2);
    await expect(validateFiles([fixture('task-valid.yaml')], { allowImages: ['('] })).rejects.toBeInstanceOf(InputError);
  });

  it('reports unknown kinds only with --strict-kinds', async () => {
    const res = await execa(validatorPath, ['--strict-kinds', 'task-valid.yaml'], { cwd: path.join(here, 'fixtures'), reject: false });
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toBe('task-valid.yaml: ServiceAccount/not-tekton: apiVersion: unknown kind "ServiceAccount" in apiVersion "v1" (--strict-kinds)');
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
