// charts/pipeline with the real helm, Tekton's own validation, and the real Tekton Triggers interceptors
// (tektoncd/triggers v0.37 run in process by charts/pipeline/test/triggers-sim).
import { createHash, createHmac } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetEnvironment } from '../src/env/env-rules.ts';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '@hat/task-runner';
import { checkChartDocs, PIPELINE_CHART_DIR, renderValuesTable } from '../src/chart-docs.ts';
import { validateFiles } from '@hat/catalog';
import { customTaskRef } from '@hat/task-deploy';
import { startGitea } from '../../test/stack/index.ts';

const chart = PIPELINE_CHART_DIR;
const example = (name: string): string => path.join(chart, 'examples', `${name}.yaml`);
const EXAMPLES = ['minimal', 'github', 'gitlab', 'gitea'] as const;
const NAMESPACE = 'tekton';

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'hat-pipeline-chart-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; spec?: Record<string, unknown> } & Record<string, unknown>;

/** `helm template` with the real helm; resolves to the exit code, the YAML and stderr. */
async function helmTemplate(args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const res = await execa('helm', ['template', 'web-pipeline', chart, '--namespace', NAMESPACE, ...args], { reject: false });
  return { exitCode: res.exitCode ?? -1, stdout: res.stdout, stderr: res.stderr };
}

async function render(args: readonly string[]): Promise<{ yaml: string; objects: K8sObject[] }> {
  const res = await helmTemplate(args);
  expect(res.stderr, `helm template ${args.join(' ')}`).toBe('');
  expect(res.exitCode).toBe(0);
  const objects = parseAllDocuments(res.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  return { yaml: res.stdout, objects };
}

const find = (objects: readonly K8sObject[], kind: string): K8sObject => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

let fileCounter = 0;
async function tempFile(content: string, ext = 'yaml'): Promise<string> {
  const file = path.join(tmp, `f${++fileCounter}.${ext}`);
  await writeFile(file, content);
  return file;
}

interface Env {
  name: string;
  branches?: string[];
  tags?: string[];
}

// The environment rules, as README.md "Environment rules" states them, are implemented once for the local runner
// (cli/src/env/env-rules.ts); the CEL the chart renders must agree with it (checked below through the real CEL interceptor).
const targetEnv = (envs: readonly Env[], ref: string): string => targetEnvironment(envs, ref) ?? '';

const DEFAULT_ENVS: Env[] = [
  { name: 'test', branches: ['main'] },
  { name: 'stage', branches: ['release/*'] },
  { name: 'prod', tags: ['v*'] },
];

describe('the reference env-rule semantics', () => {
  it('first matching environment wins; * stays within a segment, ** crosses segments', () => {
    expect(targetEnv(DEFAULT_ENVS, 'refs/heads/main')).toBe('test');
    expect(targetEnv(DEFAULT_ENVS, 'refs/heads/release/1.2')).toBe('stage');
    expect(targetEnv(DEFAULT_ENVS, 'refs/heads/release/1.2/fix')).toBe('');
    expect(targetEnv(DEFAULT_ENVS, 'refs/tags/v1.2.0')).toBe('prod');
    expect(targetEnv(DEFAULT_ENVS, 'refs/heads/v1.2.0')).toBe('');
    expect(targetEnv(DEFAULT_ENVS, 'refs/tags/main')).toBe('');
    expect(targetEnv(DEFAULT_ENVS, 'refs/heads/mainline')).toBe('');
    const overlapping: Env[] = [
      { name: 'stage', tags: ['v*-rc.*'] },
      { name: 'prod', tags: ['v*'] },
      { name: 'test', branches: ['hotfix/**'] },
    ];
    expect(targetEnv(overlapping, 'refs/tags/v1.2.0-rc.1')).toBe('stage');
    expect(targetEnv(overlapping, 'refs/tags/v1.2.0')).toBe('prod');
    expect(targetEnv(overlapping, 'refs/heads/hotfix/a/b')).toBe('test');
    expect(targetEnv([{ name: 'test', branches: ['a.b'] }], 'refs/heads/axb')).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('helm lint and helm template with the real helm, then Tekton validation', () => {
  it.each(EXAMPLES)('examples/%s.yaml: helm lint --strict passes', async (name) => {
    const res = await execa('helm', ['lint', '--strict', chart, '--namespace', NAMESPACE, '-f', example(name)], { reject: false });
    expect(res.stdout + res.stderr).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(res.exitCode).toBe(0);
  });

  it.each(EXAMPLES)('examples/%s.yaml: every rendered Tekton and Triggers object passes validateFiles', async (name) => {
    const { yaml, objects } = await render(['-f', example(name)]);
    const kinds = objects.map((o) => o.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['EventListener', 'Pipeline', 'TriggerBinding', 'TriggerTemplate']));
    // No allowImages: the only inline image (the tests step) is pinned by digest in the examples.
    const result = await validateFiles([await tempFile(yaml)]);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('renders only the Pipeline (and the landing queue\'s Role) when trigger.enabled=false, and it validates', async () => {
    const { yaml, objects } = await render(['-f', example('minimal'), '--set', 'trigger.enabled=false']);
    expect(objects.map((o) => o.kind)).toEqual(['Role', 'RoleBinding', 'Pipeline']);
    expect((await render(['-f', example('minimal'), '--set', 'trigger.enabled=false', '--set', 'landingQueue.enabled=false'])).objects.map((o) => o.kind)).toEqual(['Pipeline']);
    expect((await validateFiles([await tempFile(yaml)])).problems).toEqual([]);
  });

  it('the validator catches what it should in this chart: an unpinned tests image', async () => {
    // The schema refuses it; bypass the schema to prove validateFiles would also refuse the render.
    const { yaml } = await render(['-f', example('github'), '--skip-schema-validation', '--set', 'tests.image=docker.io/library/node:24']);
    const result = await validateFiles([await tempFile(yaml)]);
    expect(result.problems.join('\n')).toMatch(/Pipeline\/web: spec\.tasks\[2\]\.taskSpec\.steps\[0\]\.image: image "docker\.io\/library\/node:24" is not pinned by digest/);
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('the Pipeline', () => {
  it('has the documented params, workspaces, results and task graph', async () => {
    const { objects } = await render(['-f', example('github')]);
    const pipeline = find(objects, 'Pipeline');
    const spec = pipeline.spec as {
      params: Array<{ name: string; default: string }>;
      workspaces: Array<{ name: string; optional?: boolean }>;
      results: Array<{ name: string; value: string }>;
      tasks: Array<{ name: string; runAfter?: string[]; when?: unknown[]; taskRef?: { resolver: string; params: Array<{ name: string; value: string }> }; params?: Array<{ name: string; value: string }> }>;
    };
    expect(pipeline.metadata.name).toBe('web');
    expect(spec.params.map((p) => [p.name, p.default])).toEqual([
      ['git-url', 'https://github.com/acme/web.git'],
      ['git-revision', 'main'],
      ['git-ref', ''],
      ['target-env', ''],
    ]);
    expect(spec.workspaces.map((w) => [w.name, w.optional ?? false])).toEqual([
      ['source', false],
      ['dockerconfig', true],
      ['git-basic-auth', true],
      ['git-ssh', true],
    ]);
    expect(spec.results.map((r) => r.name)).toEqual(['version', 'commit', 'image', 'image-digest', 'chart-ref', 'chart-digest']);
    expect(spec.tasks.map((t) => [t.name, (t.runAfter ?? []).join(',')])).toEqual([
      ['git-clone', ''],
      ['version', 'git-clone'],
      ['tests', 'version'],
      ['build-image', 'tests'],
      ['helm-package-push', 'build-image'],
      ['deploy-test', 'helm-package-push'],
      ['deploy-stage', 'helm-package-push'],
      ['deploy-prod', 'helm-package-push'],
    ]);
    const task = (name: string) => spec.tasks.find((t) => t.name === name)!;
    const param = (name: string, p: string) => task(name).params?.find((x) => x.name === p)?.value;
    expect(task('deploy-stage').when).toEqual([{ input: '$(params.target-env)', operator: 'in', values: ['stage'] }]);
    expect(task('deploy-prod').taskRef).toEqual({
      resolver: 'cluster',
      params: [
        { name: 'kind', value: 'task' },
        { name: 'name', value: 'deploy-prod-v1' },
        { name: 'namespace', value: NAMESPACE },
      ],
    });
    expect(param('build-image', 'tag')).toBe('$(tasks.version.results.version)');
    expect(param('helm-package-push', 'version')).toBe('$(tasks.version.results.version)');
    expect(param('version', 'branch')).toBe('$(params.git-ref)');
    expect(param('deploy-test', 'app')).toBe('web');
    expect(param('deploy-test', 'source-commit')).toBe('$(tasks.git-clone.results.commit)');
    expect(param('deploy-test', 'image-digest')).toBe('$(tasks.build-image.results.IMAGE_DIGEST)');
    expect(param('deploy-test', 'chart-digest')).toBe('$(tasks.helm-package-push.results.chart-digest)');
    expect(param('deploy-test', 'pipeline-run')).toBe('$(context.pipelineRun.name)');
  });

  it('wires every param and workspace the catalog Tasks declare, and only those', async () => {
    // The Task definitions are the contract (tasks/*/src/task.ts): the chart must pass their required params and
    // bind their required workspaces, and must not pass anything they do not declare.
    const defs = await Promise.all(
      ['git-clone', 'version', 'build-image', 'helm-package-push', 'deploy'].map(async (p) => (await import(path.join(repoRoot, 'tasks', p, 'src', 'task.ts'))) as { tasks: Array<{ name: string; params: { shape: Record<string, { safeParse(v: undefined): { success: boolean } }> }; workspaces: Array<{ name: string; optional?: boolean }> }> }),
    );
    const byName = new Map(defs.flatMap((d) => d.tasks).map((t) => [t.name, t]));
    const { objects } = await render(['-f', example('github')]);
    const tasks = (find(objects, 'Pipeline').spec as { tasks: Array<{ name: string; taskSpec?: unknown; params?: Array<{ name: string }>; workspaces?: Array<{ name: string }> }> }).tasks;
    for (const t of tasks.filter((x) => !x.taskSpec)) {
      const def = byName.get(t.name);
      expect(def, `a catalog Task named ${t.name}`).toBeDefined();
      const passed = (t.params ?? []).map((p) => p.name);
      const declared = Object.keys(def!.params.shape);
      expect(passed.filter((p) => !declared.includes(p)), `${t.name}: params the Task does not declare`).toEqual([]);
      const required = declared.filter((p) => !def!.params.shape[p]!.safeParse(undefined).success);
      expect(required.filter((p) => !passed.includes(p)), `${t.name}: required params not passed`).toEqual([]);
      const bound = (t.workspaces ?? []).map((w) => w.name);
      expect(bound.filter((w) => !def!.workspaces.some((d) => d.name === w)), `${t.name}: workspaces the Task does not declare`).toEqual([]);
      const requiredWs = def!.workspaces.filter((w) => !w.optional).map((w) => w.name);
      expect(requiredWs.filter((w) => !bound.includes(w)), `${t.name}: required workspaces not bound`).toEqual([]);
    }
  });

  it('runs the tests as an argument list with params only in env, never interpolated into a script', async () => {
    const { objects } = await render(['-f', example('gitlab')]);
    const tests = (find(objects, 'Pipeline').spec as { tasks: Array<{ name: string; taskSpec?: { steps: Array<Record<string, unknown>> } }> }).tasks.find((t) => t.name === 'tests')!;
    const [step] = tests.taskSpec!.steps;
    expect(step).not.toHaveProperty('script');
    expect(step!['command']).toEqual(['npm', 'test']);
    expect(step!['workingDir']).toBe('$(workspaces.source.path)/web');
    expect(step!['env']).toEqual([
      { name: 'HAT_APP', value: 'orders' },
      { name: 'HAT_VERSION', value: '$(params.version)' },
      { name: 'HAT_COMMIT', value: '$(params.commit)' },
    ]);
    expect(JSON.stringify(step!['command'])).not.toContain('$(');
    expect(step!['securityContext']).toMatchObject({ runAsUser: 65532, runAsNonRoot: true, allowPrivilegeEscalation: false });
  });

  it('without tests, build-image follows version', async () => {
    const { objects } = await render(['-f', example('minimal')]);
    const tasks = (find(objects, 'Pipeline').spec as { tasks: Array<{ name: string; runAfter?: string[] }> }).tasks;
    expect(tasks.map((t) => t.name)).not.toContain('tests');
    expect(tasks.find((t) => t.name === 'build-image')?.runAfter).toEqual(['version']);
  });

  it('bundles resolver: <bundleRegistry>/<task>:<version>[@digest], Task <task> inside', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const { objects } = await render(['-f', example('gitlab'), '--set', `catalog.digests.deploy-prod=${digest}`]);
    const tasks = (find(objects, 'Pipeline').spec as { tasks: Array<{ name: string; taskRef?: unknown }> }).tasks;
    expect(tasks.find((t) => t.name === 'git-clone')?.taskRef).toEqual({
      resolver: 'bundles',
      params: [
        { name: 'bundle', value: 'registry.example.com/hat/catalog/git-clone:1.0.0' },
        { name: 'name', value: 'git-clone' },
        { name: 'kind', value: 'task' },
      ],
    });
    expect(tasks.find((t) => t.name === 'deploy-prod')?.taskRef).toMatchObject({
      params: [{ name: 'bundle', value: `registry.example.com/hat/catalog/deploy-prod:1.0.0@${digest}` }, { value: 'deploy-prod' }, { value: 'task' }],
    });
  });

  it('the TriggerTemplate creates a PipelineRun with a per-run PVC and the configured Secrets', async () => {
    const { objects } = await render(['-f', example('gitlab')]);
    const tt = find(objects, 'TriggerTemplate').spec as { resourcetemplates: Array<{ metadata: { generateName: string }; spec: Record<string, unknown> }> };
    const [run] = tt.resourcetemplates;
    expect(run!.metadata.generateName).toBe('orders-');
    expect(run!.spec['pipelineRef']).toEqual({ name: 'orders' });
    expect(run!.spec['workspaces']).toEqual([
      { name: 'source', volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '2Gi' } } } } },
      { name: 'dockerconfig', secret: { secretName: 'registry-push' } },
      { name: 'git-basic-auth', secret: { secretName: 'gitlab-clone' } },
    ]);
    expect(run!.spec['taskRunTemplate']).toEqual({ podTemplate: { securityContext: { fsGroup: 65532 } } });
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('values.schema.json: helm refuses bad values and names the field', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['missing app name', ['--set', 'app.name=null'], /at '\/app': missing property 'name'/],
    ['app name not DNS-1123', ['--set', 'app.name=Web_1'], /at '\/app\/name': 'Web_1' does not match pattern/],
    ['unknown provider', ['--set', 'trigger.provider=bitbucket'], /at '\/trigger\/provider': value must be one of 'github', 'gitlab', 'gitea'/],
    ['bad env name', ['--set', 'environments[0].name=qa'], /at '\/environments\/0\/name': value must be one of 'test', 'stage', 'prod'/],
    ['a typo in a key', ['--set', 'trigger.secretname=x'], /at '\/trigger': additional properties 'secretname' not allowed/],
    ['chart repository not OCI', ['--set', 'chart.repository=https://charts.example.com'], /at '\/chart\/repository': .* does not match pattern/],
    ['image with a tag', ['--set', 'image.repository=registry.example.com/acme/web:1.0'], /at '\/image\/repository'/],
    ['a full ref as branch glob', ['--set', 'environments[0].branches[0]=refs/heads/main'], /at '\/environments\/0\/branches\/0'/],
    ['a quote in a glob', ['--set', "environments[0].branches[0]=ma'in"], /at '\/environments\/0\/branches\/0': .* does not match pattern/],
    ['tests image without digest', ['--set', 'tests.enabled=true', '--set', 'tests.image=node:24', '--set', 'tests.command[0]=npm'], /at '\/tests\/image': 'node:24' does not match pattern/],
    ['tests without command', ['--set', 'tests.enabled=true', '--set', `tests.image=node@sha256:${'0'.repeat(64)}`], /at '\/tests\/command': minItems: got 0, want 1/],
    ['bundles without registry', ['--set', 'catalog.resolver=bundles'], /at '\/catalog': missing property 'bundleRegistry'|at '\/catalog\/bundleRegistry'/],
    ['ingress without host', ['--set', 'ingress.enabled=true'], /at '\/ingress\/host'|at '\/ingress': missing property 'host'/],
  ];
  it.each(cases)('%s', async (_what, args, message) => {
    const res = await helmTemplate(['-f', example('minimal'), ...args]);
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(res.stderr).toMatch(message);
  });

  it('a duplicate environment fails the render naming both entries', async () => {
    const res = await helmTemplate(['-f', example('minimal'), '--set-json', 'environments=[{"name":"test","branches":["main"]},{"name":"test","tags":["v*"]}]']);
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toMatch(/environments\[1\]\.name: "test" is already environments\[0\]/);
  });

  it('the bundles resolver without a Task version fails naming catalog.versions.<task>', async () => {
    const res = await helmTemplate(['-f', example('gitlab'), '--set', 'catalog.versions.deploy-stage=null']);
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toMatch(/catalog\.versions\.deploy-stage: the bundles resolver needs/);
  });
});

// ---------------------------------------------------------------------------------------------------------
interface CelInterceptor {
  name: string;
  ref: { name: string; kind: string };
  params: Array<{ name: string; value: unknown }>;
}

function interceptorsOf(objects: readonly K8sObject[]): CelInterceptor[] {
  const el = find(objects, 'EventListener').spec as { triggers: Array<{ interceptors: CelInterceptor[] }> };
  expect(el.triggers).toHaveLength(1);
  return el.triggers[0]!.interceptors;
}

const paramOf = (i: CelInterceptor | undefined, name: string): unknown => i?.params.find((p) => p.name === name)?.value;

describe('the CEL environment rules', () => {
  it('renders the expected filter and overlays for the default rules', async () => {
    const { objects } = await render(['-f', example('minimal')]);
    const rules = interceptorsOf(objects).find((i) => i.name === 'environment-rules');
    expect(rules?.ref).toEqual({ name: 'cel', kind: 'ClusterInterceptor' });
    expect(paramOf(rules, 'filter')).toBe(
      [
        "!body.after.matches('^0+$') && (",
        "  body.ref == 'refs/heads/main'",
        "  || body.ref.matches('^refs/heads/release/[^/]*$')",
        "  || body.ref.matches('^refs/tags/v[^/]*$')",
        ')',
      ].join('\n'),
    );
    expect(paramOf(rules, 'overlays')).toEqual([
      {
        key: 'target_env',
        expression: [
          "body.ref == 'refs/heads/main' ? 'test'",
          ": body.ref.matches('^refs/heads/release/[^/]*$') ? 'stage'",
          ": body.ref.matches('^refs/tags/v[^/]*$') ? 'prod'",
          ": ''",
        ].join('\n'),
      },
      { key: 'revision', expression: "body.ref.startsWith('refs/tags/') ? body.ref : body.after" },
    ]);
  });

  it('escapes regex metacharacters, groups several rules of one environment, skips rule-less ones', async () => {
    const envs = [
      { name: 'stage', branches: ['release/1.x+*'], tags: ['v*-rc.*'] },
      { name: 'prod' },
      { name: 'test', branches: ['hotfix/**', 'main'] },
    ];
    const { objects } = await render(['-f', example('minimal'), '--set-json', `environments=${JSON.stringify(envs)}`]);
    const rules = interceptorsOf(objects).find((i) => i.name === 'environment-rules');
    const overlays = paramOf(rules, 'overlays') as Array<{ key: string; expression: string }>;
    expect(overlays[0]!.expression).toBe(
      [
        "(body.ref.matches('^refs/heads/release/1[.]x[+][^/]*$') || body.ref.matches('^refs/tags/v[^/]*-rc[.][^/]*$')) ? 'stage'",
        ": (body.ref.matches('^refs/heads/hotfix/.*$') || body.ref == 'refs/heads/main') ? 'test'",
        ": ''",
      ].join('\n'),
    );
    const pipeline = find(objects, 'Pipeline').spec as { tasks: Array<{ name: string }> };
    expect(pipeline.tasks.map((t) => t.name).filter((n) => n.startsWith('deploy-'))).toEqual(['deploy-stage', 'deploy-prod', 'deploy-test']);
  });

  it('no rule at all: the filter lets nothing through', async () => {
    const { objects } = await render(['-f', example('minimal'), '--set-json', 'environments=[{"name":"prod"}]']);
    expect(paramOf(interceptorsOf(objects).find((i) => i.name === 'environment-rules'), 'filter')).toBe('false');
  });
});

describe('what each provider renders', () => {
  it('github: the github ClusterInterceptor with secretRef and eventTypes [push]; https clone URL from the payload', async () => {
    const { objects } = await render(['-f', example('github')]);
    const [hat, verify] = interceptorsOf(objects);
    expect(hat).toEqual({ name: 'verify-webhook-secret', ref: { name: 'web-webhook-verifier', kind: 'NamespacedInterceptor' } });
    expect(verify).toEqual({
      name: 'verify-github',
      ref: { name: 'github', kind: 'ClusterInterceptor' },
      params: [
        { name: 'secretRef', value: { secretName: 'web-webhook', secretKey: 'secret' } },
        { name: 'eventTypes', value: ['push'] },
      ],
    });
    expect((find(objects, 'TriggerBinding').spec as { params: unknown[] }).params).toEqual([
      { name: 'git-url', value: '$(body.repository.clone_url)' },
      { name: 'git-revision', value: '$(extensions.revision)' },
      { name: 'git-ref', value: '$(body.ref)' },
      { name: 'target-env', value: '$(extensions.target_env)' },
    ]);
    const ingress = find(objects, 'Ingress');
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['hooks.example.com'], secretName: 'web-listener-tls' }],
      rules: [{ host: 'hooks.example.com', http: { paths: [{ path: '/web', pathType: 'Prefix', backend: { service: { name: 'el-web', port: { number: 8080 } } } }] } }],
    });
  });

  it('gitlab: the gitlab ClusterInterceptor, both push event types, checkout_sha as revision', async () => {
    const { objects } = await render(['-f', example('gitlab')]);
    const [, verify, rules] = interceptorsOf(objects);
    expect(verify).toEqual({
      name: 'verify-gitlab',
      ref: { name: 'gitlab', kind: 'ClusterInterceptor' },
      params: [
        { name: 'secretRef', value: { secretName: 'orders-webhook', secretKey: 'token' } },
        { name: 'eventTypes', value: ['Push Hook', 'Tag Push Hook'] },
      ],
    });
    expect((paramOf(rules, 'overlays') as Array<{ key: string; expression: string }>)[1]).toEqual({ key: 'revision', expression: 'body.checkout_sha' });
    expect((find(objects, 'TriggerBinding').spec as { params: Array<{ name: string; value: string }> }).params[0]).toEqual({ name: 'git-url', value: '$(body.project.git_http_url)' });
  });

  it('gitea: a CEL token check with compareSecret; the clone URL from values', async () => {
    const { objects } = await render(['-f', example('gitea')]);
    const [, verify] = interceptorsOf(objects);
    expect(verify?.name).toBe('verify-token');
    expect(verify?.ref).toEqual({ name: 'cel', kind: 'ClusterInterceptor' });
    expect(paramOf(verify, 'filter')).toBe(
      "header.canonical('X-Gitea-Event') in ['push'] && header.canonical('Authorization').startsWith('Bearer ') && header.canonical('Authorization').substring(7).compareSecret('token', 'billing-webhook')",
    );
    expect((find(objects, 'TriggerBinding').spec as { params: Array<{ name: string; value: string }> }).params[0]).toEqual({
      name: 'git-url',
      value: 'http://gitea-http.gitea.svc:3000/finance/billing.git',
    });
  });

  it('the webhook verifier: a NamespacedInterceptor in front of a non-root Deployment that runs the chart\'s own code with the webhook Secret mounted, nothing else', async () => {
    const { objects } = await render(['-f', example('gitea')]);
    const code = await readFile(path.join(chart, 'files', 'webhook-verifier.mjs'), 'utf8');
    const named = (kind: string) => objects.find((o) => o.kind === kind && o.metadata.name === 'billing-webhook-verifier')!;
    expect(named('ConfigMap')['data']).toEqual({ 'webhook-verifier.mjs': code });
    // server/type set by the chart: Triggers' defaulting would otherwise replace all labels with it (a second install would "change" them back).
    expect(find(objects, 'Interceptor')).toMatchObject({ apiVersion: 'triggers.tekton.dev/v1alpha1', metadata: { name: 'billing-webhook-verifier', labels: { 'server/type': 'http', 'app.kubernetes.io/part-of': 'hat' } }, spec: { clientConfig: { service: { name: 'billing-webhook-verifier', namespace: NAMESPACE, port: 8080 } } } });
    const deployment = named('Deployment');
    const pod = (deployment.spec as { template: { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> & { containers: (Container & Record<string, unknown>)[] } } }).template;
    expect(pod.metadata.annotations['hat.dev/code-sha256']).toBe(createHash('sha256').update(code).digest('hex'));
    expect(pod.spec).toMatchObject({ automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, runAsUser: 65532 } });
    expect(pod.spec['volumes']).toEqual([
      { name: 'code', configMap: { name: 'billing-webhook-verifier' } },
      { name: 'webhook-secret', secret: { secretName: 'billing-webhook', optional: true } },
    ]);
    const c = pod.spec.containers[0]!;
    expect(c['image']).toMatch(/^ghcr\.io\/hat-project\/hat\/base@sha256:[0-9a-f]{64}$/);
    expect(c['securityContext']).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(Object.fromEntries(c.env!.map((e) => [e.name, e.value]))).toEqual({
      HAT_WEBHOOK_PROVIDER: 'gitea',
      HAT_WEBHOOK_EVENT_TYPES: '["push"]',
      HAT_WEBHOOK_TOKEN_HEADER: 'Authorization',
      HAT_WEBHOOK_TOKEN_PREFIX: 'Bearer ',
      HAT_WEBHOOK_SECRET_FILE: '/etc/hat/webhook-secret/token',
      HAT_WEBHOOK_SECRET_REF: `${NAMESPACE}/billing-webhook key token`,
      HAT_WEBHOOK_PORT: '8080',
    });
    expect(named('Service').spec).toMatchObject({ selector: { 'hat.dev/webhook-verifier': 'billing' }, ports: [{ port: 8080, targetPort: 'http' }] });
    // The default image is HAT's base the newest catalog Tasks are built on (the e2e runs it, rebuilt to that digest).
    const install = parse(await readFile(path.join(repoRoot, 'catalog/install/v1/kustomization.yaml'), 'utf8')) as { resources: string[] };
    const bases = new Set<string>();
    for (const dir of install.resources) {
      const task = path.basename(path.dirname(dir));
      const yaml = parse(await readFile(path.join(repoRoot, 'catalog/install/v1', dir, `${task}.yaml`), 'utf8')) as { metadata: { annotations: Record<string, string> } };
      const base = yaml.metadata.annotations['hat.dev/base-image']!;
      if (/\/hat\/base@/.test(base)) bases.add(base);
    }
    expect([...bases]).toEqual([c['image']]);
    expect((await helmTemplate(['-f', example('gitea'), '--set', 'trigger.verifier.image=node:20'])).stderr).toMatch(/verifier\/image': 'node:20' does not match/);
  });

  it('waitForSync: only that environment\'s deploy waits, and the runs\' ServiceAccount may only get and list Applications in Argo CD\'s namespace', async () => {
    const deployParams = (objects: K8sObject[], env: string) =>
      Object.fromEntries(((find(objects, 'Pipeline').spec as { tasks: { name: string; params: { name: string; value: string }[] }[] }).tasks.find((t) => t.name === `deploy-${env}`)!.params).map((p) => [p.name, p.value]));
    const { objects } = await render(['-f', example('github'), '--set', 'argocd.namespace=gitops', '--set', 'argocd.syncTimeout=90s', '--set', 'pipelineRun.serviceAccountName=builder']);
    expect(deployParams(objects, 'prod')).toMatchObject({ 'wait-for-sync': 'true', 'sync-timeout': '90s', 'argocd-namespace': 'gitops' });
    expect(deployParams(objects, 'test')['wait-for-sync']).toBeUndefined();
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'tekton-web-read-applications')!;
    expect(role.metadata).toMatchObject({ name: 'tekton-web-read-applications', namespace: 'gitops' });
    expect(role['rules']).toEqual([{ apiGroups: ['argoproj.io'], resources: ['applications'], verbs: ['get', 'list'] }]);
    const binding = objects.find((o) => o.kind === 'RoleBinding' && (o.metadata as { namespace?: string }).namespace === 'gitops')!;
    expect(binding['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'builder', namespace: NAMESPACE }]);
    expect(binding['roleRef']).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tekton-web-read-applications' });
    // Without waitForSync, no access to Argo CD at all (the one Role is the landing queue's).
    expect((await render(['-f', example('minimal')])).objects.filter((o) => o.kind === 'Role').map((o) => o.metadata.name)).toEqual(['web-landing-queue']);
  });

  it('landingQueue: the runs\' ServiceAccount may manage Leases in the pipeline\'s namespace, and nothing else', async () => {
    const { objects } = await render(['-f', example('github'), '--set', 'pipelineRun.serviceAccountName=builder']);
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'web-landing-queue')!;
    expect(role['rules']).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] }]);
    const binding = objects.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'web-landing-queue')!;
    expect(binding['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'builder', namespace: NAMESPACE }]);
    expect(binding['roleRef']).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'web-landing-queue' });
    expect((await render(['-f', example('github'), '--set', 'landingQueue.enabled=false'])).objects.filter((o) => o.metadata.name === 'web-landing-queue')).toEqual([]);
    expect((await helmTemplate(['-f', example('minimal'), '--set', 'argocd.syncTimeout=5 minutes'])).stderr).toMatch(/'\/argocd\/syncTimeout': '5 minutes' does not match/);
  });

  it('waitForMerge (an env repo in pull-request mode): only that environment\'s deploy waits for the merge, with its mergeTimeout', async () => {
    const deployParams = (objects: K8sObject[], env: string) =>
      Object.fromEntries(((find(objects, 'Pipeline').spec as { tasks: { name: string; params: { name: string; value: string }[] }[] }).tasks.find((t) => t.name === `deploy-${env}`)!.params).map((p) => [p.name, p.value]));
    const envs = (prod: string) => tempFile(`environments: [{name: test, branches: [main]}, {name: prod, tags: ["v*"], ${prod}}]\n`);
    const { objects, yaml } = await render(['-f', example('minimal'), '-f', await envs('waitForMerge: true, mergeTimeout: 4h')]);
    expect(deployParams(objects, 'prod')).toMatchObject({ 'wait-for-merge': 'true', 'merge-timeout': '4h' });
    expect(deployParams(objects, 'test')['wait-for-merge']).toBeUndefined();
    expect((await validateFiles([await tempFile(yaml)])).problems).toEqual([]);
    expect((await helmTemplate(['-f', example('minimal'), '-f', await envs('mergeTimeout: soon')])).stderr).toMatch(/mergeTimeout': 'soon' does not match/);
  });

  it('controller: only that environment\'s deploy is a custom task the env\'s deploy controller serves, with the Task\'s params; not with waitForMerge', async () => {
    type Task = { name: string; taskRef: Record<string, unknown>; params: { name: string; value: string }[] };
    const tasks = (objects: K8sObject[]) => (find(objects, 'Pipeline').spec as { tasks: Task[] }).tasks;
    const envs = (prod: string) => tempFile(`environments: [{name: test, branches: [main]}, {name: prod, tags: ["v*"], ${prod}}]\n`);
    const { objects, yaml } = await render(['-f', example('minimal'), '-f', await envs('controller: true, waitForSync: true')]);
    const prod = tasks(objects).find((t) => t.name === 'deploy-prod')!;
    const test = tasks(objects).find((t) => t.name === 'deploy-test')!;
    expect(prod.taskRef).toEqual(customTaskRef('prod'));
    expect(test.taskRef['kind']).not.toBe('Deploy');
    expect(prod.params.map((p) => p.name)).toEqual([...test.params.map((p) => p.name), 'wait-for-sync', 'sync-timeout', 'argocd-namespace']);
    expect((await validateFiles([await tempFile(yaml)])).problems).toEqual([]);
    expect((await helmTemplate(['-f', example('minimal'), '-f', await envs('controller: true, waitForMerge: true')])).stderr).toContain('environments: prod has controller and waitForMerge: the deploy controller only pushes (pull-request mode needs the Task)');
  });

  it('the listener ServiceAccount gets the roles Tekton Triggers ships for listeners', async () => {
    const { objects } = await render(['-f', example('minimal')]);
    expect(find(objects, 'ServiceAccount').metadata.name).toBe('web-listener');
    expect(objects.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'web-listener')!['roleRef']).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tekton-triggers-eventlistener-roles' });
    const crb = find(objects, 'ClusterRoleBinding');
    expect(crb.metadata.name).toBe('tekton-web-listener');
    expect(crb['roleRef']).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tekton-triggers-eventlistener-clusterroles' });
    expect(crb['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'web-listener', namespace: NAMESPACE }]);
    expect((find(objects, 'EventListener').spec as { serviceAccountName: string }).serviceAccountName).toBe('web-listener');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Webhook events through the real interceptors and binding/template resolution of tektoncd/triggers v0.37.
const simDir = path.join(chart, 'test', 'triggers-sim');
let simBinary = '';

async function buildSim(): Promise<string> {
  const hash = createHash('sha256');
  for (const f of ['main.go', 'go.mod', 'go.sum']) hash.update(await readFile(path.join(simDir, f)));
  const dir = path.join(repoRoot, 'node_modules', '.cache', 'hat', `triggers-sim-${hash.digest('hex').slice(0, 16)}`);
  const bin = path.join(dir, 'triggers-sim');
  if (await stat(bin).then(() => true, () => false)) return bin;
  await mkdir(dir, { recursive: true });
  // First build downloads tektoncd/triggers' modules (Go module proxy) and takes a minute or two.
  await execa('go', ['build', '-trimpath', '-o', `${bin}.tmp`, '.'], { cwd: simDir });
  await rename(`${bin}.tmp`, bin);
  return bin;
}

interface WebhookEvent {
  name: string;
  header: Record<string, string[]>;
  body: string;
}

interface Outcome {
  name: string;
  accepted: boolean;
  rejectedBy?: string;
  status?: string;
  params?: Record<string, string>;
  resources?: unknown[];
}

interface Container {
  env?: { name: string; value: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
}

/** What the chart's webhook verifiers (the generated files/webhook-verifier.mjs under node) logged in the last simulate(). */
let verifierLogs = '';

/**
 * Starts each webhook verifier the manifests deploy as the Deployment says (its env; the Secret it mounts from
 * `secrets`, in a temp dir), on 127.0.0.1, running the chart's own copy of the code; returns Interceptor → URL.
 */
async function startVerifiers(manifests: string, secrets: Record<string, Record<string, string>>): Promise<{ urls: Record<string, string>; stop: () => Promise<string> }> {
  const docs = parseAllDocuments(manifests).map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
  const urls: Record<string, string> = {};
  const procs: { kill: () => void; logged: Promise<string> }[] = [];
  for (const dep of docs.filter((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-webhook-verifier'))) {
    const pod = (dep.spec as { template: { spec: { containers: Container[]; volumes: { name: string; secret?: { secretName: string } }[] } } }).template.spec;
    const c = pod.containers[0]!;
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    const secretVolume = pod.volumes.find((v) => v.secret)!;
    const mount = c.volumeMounts!.find((m) => m.name === secretVolume.name)!;
    const dir = await mkdtemp(path.join(tmp, 'secret-'));
    for (const [key, value] of Object.entries(secrets[secretVolume.secret!.secretName] ?? {})) await writeFile(path.join(dir, key), value);
    const file = path.join(dir, path.relative(mount.mountPath, env['HAT_WEBHOOK_SECRET_FILE']!));
    const proc = execa('node', [path.join(chart, 'files', 'webhook-verifier.mjs')], { env: { ...env, HAT_WEBHOOK_SECRET_FILE: file, HAT_WEBHOOK_PORT: '0', HAT_WEBHOOK_HOST: '127.0.0.1' }, extendEnv: false, reject: false, all: true });
    procs.push({ kill: () => proc.kill('SIGTERM'), logged: proc.then((r) => String(r.all ?? '')) });
    urls[dep.metadata.name] = await new Promise<string>((resolve, reject) => {
      let seen = '';
      proc.all!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const m = / on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
        if (m) resolve(m[1]!);
      });
      void proc.then((r) => reject(new Error(`webhook verifier exited ${r.exitCode}: ${r.all}`)));
    });
  }
  return {
    urls,
    stop: async () => {
      for (const p of procs) p.kill();
      return (await Promise.all(procs.map((p) => p.logged))).join('\n');
    },
  };
}

async function simulate(manifests: string, secrets: Record<string, Record<string, string>>, events: WebhookEvent[]): Promise<Outcome[]> {
  const verifiers = await startVerifiers(manifests, secrets);
  try {
    const res = await execa(simBinary, [], { input: JSON.stringify({ manifests, namespace: NAMESPACE, secrets, events, interceptorUrls: verifiers.urls }) });
    return JSON.parse(res.stdout) as Outcome[];
  } finally {
    verifierLogs = await verifiers.stop();
  }
}

const SHA = 'c0ffee'.repeat(6) + 'c0ff';
const TAG_OBJECT = 'a9'.repeat(20);
const ZERO = '0'.repeat(40);

function githubEvent(name: string, ref: string, opts: { after?: string; event?: string; secret?: string; sender?: 'github' | 'gitea' } = {}): WebhookEvent {
  const after = opts.after ?? (ref.startsWith('refs/tags/') ? TAG_OBJECT : SHA);
  const body = JSON.stringify({
    ref,
    before: ZERO,
    after,
    deleted: after === ZERO,
    head_commit: after === ZERO ? null : { id: SHA },
    repository: { full_name: 'acme/web', clone_url: 'https://github.com/acme/web.git', ssh_url: 'git@github.com:acme/web.git' },
  });
  const signature = `sha256=${createHmac('sha256', opts.secret ?? 'gh-s3cret').update(body).digest('hex')}`;
  if (opts.sender === 'gitea') {
    return { name, body, header: { 'Content-Type': ['application/json'], 'X-Gitea-Event': [opts.event ?? 'push'], Authorization: [`Bearer ${opts.secret ?? 'gt-t0ken'}`] } };
  }
  return { name, body, header: { 'Content-Type': ['application/json'], 'X-GitHub-Event': [opts.event ?? 'push'], 'X-Hub-Signature-256': [signature] } };
}

function gitlabEvent(name: string, ref: string, opts: { after?: string; token?: string } = {}): WebhookEvent {
  const tag = ref.startsWith('refs/tags/');
  const after = opts.after ?? (tag ? TAG_OBJECT : SHA);
  const body = JSON.stringify({
    object_kind: tag ? 'tag_push' : 'push',
    ref,
    before: ZERO,
    after,
    checkout_sha: after === ZERO ? null : SHA,
    project: { git_http_url: 'https://gitlab.example.com/shop/orders.git', git_ssh_url: 'git@gitlab.example.com:shop/orders.git' },
  });
  return { name, body, header: { 'Content-Type': ['application/json'], 'X-Gitlab-Event': [tag ? 'Tag Push Hook' : 'Push Hook'], 'X-Gitlab-Token': [opts.token ?? 'gl-t0ken'] } };
}

describe('webhook events through the real Triggers interceptors (triggers-sim)', () => {
  beforeAll(async () => {
    simBinary = await buildSim();
  }, 600_000);

  async function checkRuns(outcomes: readonly Outcome[]): Promise<void> {
    const runs = outcomes.filter((o) => o.accepted).flatMap((o) => o.resources ?? []);
    expect(runs.length).toBeGreaterThan(0);
    const result = await validateFiles([await tempFile(runs.map((r) => JSON.stringify(r)).join('\n---\n'))]);
    expect(result.problems).toEqual([]);
  }

  it('github: signed pushes start runs for the right environment; everything else is refused', async () => {
    const { yaml } = await render(['-f', example('github')]);
    const out = await simulate(yaml, { 'web-webhook': { secret: 'gh-s3cret' } }, [
      githubEvent('main', 'refs/heads/main'),
      githubEvent('release', 'refs/heads/release/1.2'),
      githubEvent('tag', 'refs/tags/v1.2.0'),
      githubEvent('nested release', 'refs/heads/release/1.2/fix'),
      githubEvent('feature', 'refs/heads/feature/login'),
      githubEvent('deleted main', 'refs/heads/main', { after: ZERO }),
      githubEvent('bad signature', 'refs/heads/main', { secret: 'guess' }),
      githubEvent('ping', 'refs/heads/main', { event: 'ping' }),
    ]);
    const by = (name: string) => out.find((o) => o.name === name)!;
    expect(by('main')).toMatchObject({
      accepted: true,
      params: { 'git-url': 'https://github.com/acme/web.git', 'git-revision': SHA, 'git-ref': 'refs/heads/main', 'target-env': 'test' },
    });
    expect(by('release').params?.['target-env']).toBe('stage');
    // An annotated tag's "after" is the tag object: the run checks out the tag by its ref.
    expect(by('tag').params).toMatchObject({ 'git-revision': 'refs/tags/v1.2.0', 'target-env': 'prod' });
    for (const name of ['nested release', 'feature', 'deleted main']) expect(by(name), name).toMatchObject({ accepted: false, rejectedBy: 'environment-rules (interceptors[2])' });
    // HAT's verifier refuses first, with an answer the EventListener logs as an error (the sink's own words first).
    expect(by('bad signature')).toMatchObject({
      accepted: false,
      rejectedBy: 'verify-webhook-secret (interceptors[0])',
      status: `interceptor response was not 200: refused: X-Hub-Signature-256 is not the HMAC-SHA256 of the body with the webhook secret: the webhook at the provider signs with another secret; set the webhook's secret at the provider to the value of Secret ${NAMESPACE}/web-webhook key secret`,
    });
    expect(by('ping')).toMatchObject({ accepted: false, rejectedBy: 'verify-webhook-secret (interceptors[0])', status: 'X-GitHub-Event "ping" is not one of "push": nothing to run' });
    // Its own log: one line per delivery, the refusal with Triggers' event ID and trigger; never the secret or a signature.
    expect(verifierLogs).toMatch(/warning: refused: X-Hub-Signature-256 is not the HMAC-SHA256 .* \(event x7k2q, namespaces\/tekton\/triggers\/push\)/);
    expect(verifierLogs).toMatch(/accepted github push delivery \(event x7k2q/);
    expect(verifierLogs).not.toMatch(/gh-s3cret|guess|sha256=/);
    const run = by('main').resources?.[0] as { metadata: { generateName: string; labels: Record<string, string> }; spec: { params: unknown[] } };
    expect(run.metadata.generateName).toBe('web-');
    expect(run.metadata.labels['hat.dev/target-env']).toBe('test');
    expect(run.spec.params).toEqual([
      { name: 'git-url', value: 'https://github.com/acme/web.git' },
      { name: 'git-revision', value: SHA },
      { name: 'git-ref', value: 'refs/heads/main' },
      { name: 'target-env', value: 'test' },
    ]);
    await checkRuns(out);
  });

  it('gitlab: the token is checked, the commit comes from checkout_sha', async () => {
    const { yaml } = await render(['-f', example('gitlab')]);
    const out = await simulate(yaml, { 'orders-webhook': { token: 'gl-t0ken' } }, [
      gitlabEvent('main', 'refs/heads/main'),
      gitlabEvent('hotfix', 'refs/heads/hotfix/a/b'),
      gitlabEvent('rc', 'refs/tags/v2.0.0-rc.1'),
      gitlabEvent('release', 'refs/tags/v2.0.0'),
      gitlabEvent('wrong token', 'refs/heads/main', { token: 'nope' }),
    ]);
    const by = (name: string) => out.find((o) => o.name === name)!;
    expect(by('main').params).toEqual({ 'git-url': 'https://gitlab.example.com/shop/orders.git', 'git-revision': SHA, 'git-ref': 'refs/heads/main', 'target-env': 'test' });
    expect(by('hotfix').params?.['target-env']).toBe('test');
    expect(by('rc').params).toMatchObject({ 'git-revision': SHA, 'target-env': 'stage' });
    expect(by('release').params?.['target-env']).toBe('prod');
    expect(by('wrong token')).toMatchObject({ accepted: false, rejectedBy: 'verify-webhook-secret (interceptors[0])' });
    expect(by('wrong token').status).toMatch(/: refused: X-Gitlab-Token is not the webhook secret: .* Secret tekton\/orders-webhook key token$/);
    expect(verifierLogs).not.toMatch(/gl-t0ken|nope/);
    await checkRuns(out);
  });

  it('gitea: the Authorization header must carry the token; a rule-less environment is never triggered', async () => {
    const { yaml } = await render(['-f', example('gitea')]);
    const out = await simulate(yaml, { 'billing-webhook': { token: 'gt-t0ken' } }, [
      githubEvent('feature', 'refs/heads/feature/a/b', { sender: 'gitea' }),
      githubEvent('tag', 'refs/tags/v3.1.0', { sender: 'gitea' }),
      githubEvent('wrong token', 'refs/heads/main', { sender: 'gitea', secret: 'gt-t0ke' }),
      githubEvent('other event', 'refs/heads/main', { sender: 'gitea', event: 'issues' }),
      githubEvent('prod branch', 'refs/heads/prod', { sender: 'gitea' }),
    ]);
    const by = (name: string) => out.find((o) => o.name === name)!;
    expect(by('feature').params).toEqual({ 'git-url': 'http://gitea-http.gitea.svc:3000/finance/billing.git', 'git-revision': SHA, 'git-ref': 'refs/heads/feature/a/b', 'target-env': 'test' });
    expect(by('tag').params?.['target-env']).toBe('stage');
    expect(by('wrong token')).toMatchObject({ accepted: false, rejectedBy: 'verify-webhook-secret (interceptors[0])' });
    expect(by('wrong token').status).toMatch(/: refused: Authorization does not carry "Bearer " and the webhook secret: /);
    expect(by('other event')).toMatchObject({ accepted: false, rejectedBy: 'verify-webhook-secret (interceptors[0])', status: 'X-Gitea-Event "issues" is not one of "push": nothing to run' });
    expect(by('prod branch')).toMatchObject({ accepted: false, rejectedBy: 'environment-rules (interceptors[2])' });
    expect(verifierLogs).not.toMatch(/gt-t0ke/);
    await checkRuns(out);
  });

  it('gitea itself delivers: its own push webhooks (Authorization header) reach the chart\'s listener chain; the env rules pick the env; a wrong header is refused', async () => {
    const gitea = await startGitea();
    const received: { path: string; header: Record<string, string[]>; body: string }[] = [];
    // The EventListener's place: records each delivery exactly as it arrived (names canonical, as Go's server makes them).
    const sink = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const header: Record<string, string[]> = {};
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const name = req.rawHeaders[i]!.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1).toLowerCase()).join('-');
          (header[name] ??= []).push(req.rawHeaders[i + 1]!);
        }
        received.push({ path: req.url ?? '', header, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
    try {
      const repo = await gitea.createRepo('billing');
      await gitea.seedRepo(repo, { 'README.md': '# billing\n' });
      for (const [name, bearer] of [['right', 'gt-t0ken'], ['wrong', 'gt-guess']] as const) {
        await gitea.api('POST', `/repos/${repo.owner}/${repo.name}/hooks`, { type: 'gitea', active: true, events: ['push'], config: { url: `${sinkUrl}/${name}`, content_type: 'json' }, authorization_header: `Bearer ${bearer}` });
      }
      const work = await mkdtemp(path.join(tmp, 'billing-'));
      const who = { GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@x', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@x' };
      const auth = `Authorization: Basic ${Buffer.from(`${gitea.admin.username}:${gitea.admin.password}`).toString('base64')}`;
      const g = async (...args: string[]) => (await execa('git', ['-c', `http.extraHeader=${auth}`, ...args], { cwd: work, env: who })).stdout;
      await g('clone', '-q', repo.url, '.');
      await g('switch', '-q', '-c', 'feature/a/b');
      await writeFile(path.join(work, 'x.txt'), 'x\n');
      await g('add', 'x.txt');
      await g('commit', '-qm', 'feature work');
      const feature = await g('rev-parse', 'HEAD');
      await g('push', '-q', 'origin', 'feature/a/b');
      await g('tag', 'v3.1.0');
      await g('push', '-q', 'origin', 'v3.1.0');
      // Gitea delivers from a queue: each push to both hooks.
      for (let i = 0; received.length < 4; i++) {
        if (i > 300) throw new Error(`gitea delivered ${received.length} of 4 webhooks in 30 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const events = received.map((d) => ({ name: `${d.path.slice(1)} ${(JSON.parse(d.body) as { ref: string }).ref}`, header: d.header, body: d.body }));
      const { yaml } = await render(['-f', example('gitea')]);
      const out = await simulate(yaml, { 'billing-webhook': { token: 'gt-t0ken' } }, events);
      const by = (name: string) => out.find((o) => o.name === name)!;
      expect(by('right refs/heads/feature/a/b')).toMatchObject({ accepted: true, params: { 'git-revision': feature, 'git-ref': 'refs/heads/feature/a/b', 'target-env': 'test' } });
      expect(by('right refs/tags/v3.1.0')).toMatchObject({ accepted: true, params: { 'git-ref': 'refs/tags/v3.1.0', 'target-env': 'stage' } });
      for (const ref of ['refs/heads/feature/a/b', 'refs/tags/v3.1.0']) {
        expect(by(`wrong ${ref}`)).toMatchObject({ accepted: false, rejectedBy: 'verify-webhook-secret (interceptors[0])' });
        expect(by(`wrong ${ref}`).status).toMatch(/refused: Authorization does not carry "Bearer " and the webhook secret/);
      }
      expect(received[0]!.header['X-Gitea-Event']).toEqual(['push']);
      expect(verifierLogs).not.toMatch(/gt-t0ken|gt-guess/);
      await checkRuns(out);
    } finally {
      sink.close();
      await gitea.stop();
    }
  });

  it('with the verifier off, Triggers\' own interceptors decide (and say why only at debug level)', async () => {
    const { yaml, objects } = await render(['-f', example('github'), '--set', 'trigger.verifier.enabled=false']);
    expect(objects.filter((o) => o.kind === 'Interceptor' || o.metadata.name.endsWith('-webhook-verifier'))).toEqual([]);
    const out = await simulate(yaml, { 'web-webhook': { secret: 'gh-s3cret' } }, [githubEvent('main', 'refs/heads/main'), githubEvent('bad signature', 'refs/heads/main', { secret: 'guess' })]);
    expect(out.find((o) => o.name === 'main')).toMatchObject({ accepted: true });
    expect(out.find((o) => o.name === 'bad signature')).toMatchObject({ accepted: false, rejectedBy: 'verify-github (interceptors[0])', status: 'payload signature check failed' });
  });

  it('a webhook Secret that is not there: the verifier runs and each delivery says which Secret and key to create', async () => {
    const { yaml } = await render(['-f', example('github')]);
    const out = await simulate(yaml, {}, [githubEvent('main', 'refs/heads/main')]);
    expect(out[0]).toMatchObject({ accepted: false, rejectedBy: 'verify-webhook-secret (interceptors[0])' });
    expect(out[0]!.status).toBe(`interceptor response was not 200: cannot check the delivery: the webhook secret (Secret ${NAMESPACE}/web-webhook key secret) cannot be read: it is not there; create the Secret with that key (kubectl create secret generic …) and deliver again`);
  });

  it('the rendered CEL agrees with the reference semantics on random rules and refs', async () => {
    const segment = fc.stringMatching(/^[abv1.+-]{1,3}$/);
    const glob = fc
      .array(fc.oneof(segment, fc.constantFrom('*', '**', 'a*', '*.1', 'v*')), { minLength: 1, maxLength: 3 })
      .map((parts) => parts.join('/'))
      .filter((g) => !g.startsWith('/'));
    const config = fc.uniqueArray(
      fc.record({ name: fc.constantFrom('test', 'stage', 'prod'), branches: fc.array(glob, { maxLength: 2 }), tags: fc.array(glob, { maxLength: 2 }) }),
      { minLength: 1, maxLength: 3, selector: (e) => e.name },
    );
    const name = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
    const ref = fc.tuple(fc.constantFrom('refs/heads/', 'refs/tags/'), name).map(([p, n]) => p + n);
    const samples = fc.sample(fc.tuple(config, fc.array(ref, { minLength: 10, maxLength: 10 })), { numRuns: 12, seed: 7 });
    let matched = 0;
    for (const [envs, randomRefs] of samples) {
      // Also refs made from the globs themselves, so that matches are frequent.
      const fromGlobs = envs.flatMap((e) => [
        ...e.branches.map((g) => `refs/heads/${g.replace(/\*\*/g, 'x/y').replace(/\*/g, 'ab')}`),
        ...e.tags.map((g) => `refs/tags/${g.replace(/\*\*/g, 'v').replace(/\*/g, '')}`),
      ]);
      const refs = [...new Set([...randomRefs, ...fromGlobs])];
      const { yaml } = await render(['-f', example('github'), '--set-json', `environments=${JSON.stringify(envs)}`]);
      const out = await simulate(yaml, { 'web-webhook': { secret: 'gh-s3cret' } }, refs.map((r) => githubEvent(r, r)));
      for (const o of out) {
        const expected = targetEnv(envs, o.name);
        expect(o.accepted ? o.params?.['target-env'] : '', `${o.name} with ${JSON.stringify(envs)}`).toBe(expected);
        if (expected) matched++;
      }
    }
    expect(matched).toBeGreaterThan(10);
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('charts/pipeline/README.md', () => {
  it('the values table is generated from values.schema.json and values.yaml, and is fresh', async () => {
    expect(await checkChartDocs(), 'run: npx hat generate').toEqual([]);
    const table = await renderValuesTable();
    expect(table).toContain('| `app.name` | string | (required) |');
    expect(table).toContain('| `environments[].name` | "test" \\| "stage" \\| "prod" |');
    expect(table).toContain('| `trigger.provider` | "github" \\| "gitlab" \\| "gitea" | `"github"` |');
  });

  it('documents the five-minute guide, the environment rules and each provider', async () => {
    const readme = await readFile(path.join(chart, 'README.md'), 'utf8');
    for (const section of ['## Five-minute guide', '## Environment rules', '## Webhooks per provider', '## The Pipeline', '## Values']) {
      expect(readme, section).toContain(section);
    }
  });

  it('checkChartDocs reports a stale table and an undocumented key', async () => {
    const dir = path.join(tmp, 'chart-copy');
    await mkdir(dir, { recursive: true });
    for (const f of ['values.yaml', 'values.schema.json', 'README.md']) await writeFile(path.join(dir, f), await readFile(path.join(chart, f)));
    await writeFile(path.join(dir, 'values.yaml'), `${await readFile(path.join(chart, 'values.yaml'), 'utf8')}\nextra: 1\n`);
    const schema = JSON.parse(await readFile(path.join(chart, 'values.schema.json'), 'utf8')) as { properties: { git: { properties: { revision: { description?: string } } } } };
    delete schema.properties.git.properties.revision.description;
    await writeFile(path.join(dir, 'values.schema.json'), JSON.stringify(schema));
    expect(await checkChartDocs(dir)).toEqual([
      'values.schema.json: git.revision has no description',
      'values.yaml: extra is not in values.schema.json',
      'README.md: the values table is stale; run: npx hat generate',
    ]);
  });
});
