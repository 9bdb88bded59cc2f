// The deploy controller (tasks/deploy/src/controller.ts) on the real API server: CustomRuns as Tekton creates them
// for a Pipeline task whose taskRef is {apiVersion: hat.dev/v1alpha1, kind: Deploy, name: deploy-test}; the
// controller as a process with the service account and Role of its Deployment (deployControllerObjects); the env
// repo on the test git server. Registered by cluster.test.ts, on its cluster (Tekton's CustomRun CRD needed).
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects, deployControllerName, deployControllerObjects, serviceAccountEnv, type TaskObject } from '@hat/cluster';
import { devImage, renderTaskObject } from '@hat/task-spec';
import { customTaskRef, deployTask } from '@hat/task-deploy';
import { appFiles, bare, envObjects } from '../../tasks/deploy/test/helpers.ts';
import { startDeployController, type DeployController } from '../../tasks/deploy/test/controller-process.ts';
import { startGitServer, type GitRepo, type GitServer } from '../stack/index.ts';

const NS = 'hat-controller';
const CRED = { username: 'controller-deployer', password: 'controller-Secret-42' };
const WHERE = { group: 'tekton.dev', version: 'v1beta1', namespace: NS, plural: 'customruns' };

interface Run {
  metadata: { name: string };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>; results?: Array<{ name: string; value: string }> };
}

export function deployControllerTests(admin: () => KubeConfig, tempDir: (prefix: string) => Promise<string>): void {
  describe('the deploy controller serves deploy-test\'s CustomRuns on the real API server, as its Deployment\'s service account', () => {
    let server: GitServer;
    let repo: GitRepo;
    let controller: DeployController | undefined;
    let objects: { config: string; secret: string };
    let sa: Record<string, string>;
    const runs = () => admin().makeApiClient(CustomObjectsApi);
    let serial = 0;
    /** A CustomRun as Tekton creates one for a Pipeline task of ours. */
    const create = async (params: Record<string, unknown>, ref = customTaskRef('test')): Promise<string> => {
      const name = `deploy-${Date.now().toString(36)}-${serial++}`;
      await runs().createNamespacedCustomObject({ ...WHERE, body: { apiVersion: 'tekton.dev/v1beta1', kind: 'CustomRun', metadata: { name }, spec: { customRef: ref, params: Object.entries(params).map(([n, value]) => ({ name: n, value })) } } });
      return name;
    };
    const read = async (name: string): Promise<Run> => (await runs().getNamespacedCustomObject({ ...WHERE, name })) as Run;
    /** Waits (bounded) until the run's Succeeded condition is True or False. */
    const done = async (name: string, timeoutMs = 60_000): Promise<Run> => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const run = await read(name);
        const c = run.status?.conditions?.find((x) => x.type === 'Succeeded');
        if (c && c.status !== 'Unknown') return run;
        if (Date.now() > until) throw new Error(`CustomRun ${name} not done after ${timeoutMs / 1000} s; controller log:\n${controller?.lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const condition = (run: Run) => run.status!.conditions!.find((c) => c.type === 'Succeeded')!;
    const result = (run: Run, name: string) => run.status?.results?.find((r) => r.name === name)?.value;

    beforeAll(async () => {
      server = await startGitServer();
      repo = await server.createRepo('gitops-controller', CRED);
      const files: Record<string, string> = { 'README.md': '# controller\n', ...appFiles('solo', '1.0.0') };
      for (let i = 0; i < 32; i++) Object.assign(files, appFiles(`app-${i}`, '1.0.0'));
      await server.seedRepo('gitops-controller', files, 'scaffold 33 apps');
      await admin().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
      // The controller's ServiceAccount and Roles as hat install applies them (its Deployment runs here as a process).
      const task = renderTaskObject(deployTask('test'), { version: 'dev', image: devImage('deploy') }) as unknown as TaskObject;
      await applyObjects(admin(), deployControllerObjects(task, { namespace: NS, argocdNamespace: NS }).filter((o) => o.kind !== 'Deployment'));
      objects = await envObjects('test', repo, CRED, await tempDir('hat-objects-controller-'));
      sa = await serviceAccountEnv(admin(), NS, deployControllerName('test'), await tempDir('hat-sa-controller-'), 600);
      controller = await startDeployController('test', objects, sa);
    });

    afterAll(async () => {
      await controller?.stop();
      await server?.stop();
    });

    it('32 CustomRuns at once: each Succeeded with its commit, 32 commits in a few pushes, linear history, each app at its version', { timeout: 180_000 }, async () => {
      const env = bare(server, repo);
      const before = await env.count();
      const names = await Promise.all(Array.from({ length: 32 }, (_, i) => create({ app: `app-${i}`, version: `1.${i + 1}.0`, 'source-commit': `c0ffee${i}` })));
      const finished = await Promise.all(names.map((n) => done(n)));
      for (const run of finished) expect(condition(run).status, condition(run).message).toBe('True');
      expect(await env.count()).toBe(before + 32);
      expect(await env.log('--merges', '--format=%H')).toBe('');
      expect(new Set(finished.map((r) => result(r, 'commit'))).size).toBe(32);
      for (let i = 0; i < 32; i++) {
        expect(result(finished[i]!, 'changed')).toBe('true');
        expect(result(finished[i]!, 'previous-version')).toBe('1.0.0');
        expect(parse(await env.show(`apps/app-${i}/Chart.yaml`)).dependencies[0].version).toBe(`1.${i + 1}.0`);
      }
      // The commit records the CustomRun as the run (the pipeline-run param's fallback, as a TaskRun's name is).
      expect(await env.git('show', '-s', '--format=%B', result(finished[0]!, 'commit')!)).toContain(`Hat-PipelineRun: ${names[0]}`);
      const batches = controller!.lines.flatMap((l) => [...l.matchAll(/^served (\d+) CustomRuns? in one batch/g)].map((m) => Number(m[1])));
      expect(batches.reduce((a, b) => a + b, 0)).toBe(32);
      expect(batches.length).toBeLessThan(8);
    });

    it('8 versions of one app at once: ends at the highest, never a step backwards in history', { timeout: 120_000 }, async () => {
      const env = bare(server, repo);
      const versions = ['1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0', '1.6.0', '1.7.0', '1.8.0'].sort(() => Math.random() - 0.5);
      const finished = await Promise.all((await Promise.all(versions.map((version) => create({ app: 'solo', version })))).map((n) => done(n)));
      for (const run of finished) {
        const c = condition(run);
        if (c.status === 'False') expect(c.message).toMatch(/is lower than .* deployed in test/);
      }
      expect(parse(await env.show('apps/solo/Chart.yaml')).dependencies[0].version).toBe('1.8.0');
      const history = (await env.log('--format=%(trailers:key=Hat-Version,valueonly)', '--', 'apps/solo')).split('\n').map((l) => l.trim()).filter(Boolean).reverse();
      for (let i = 1; i < history.length; i++) expect(history[i]! > history[i - 1]!, history.join(' ')).toBe(true);
    });

    it('bad input fails its own run with one line naming the param, nothing pushed; runs of another custom task are not ours', async () => {
      const env = bare(server, repo);
      const head = await env.head();
      const [bad, list, dry] = await Promise.all([create({ app: 'app-1', version: 'latest' }), create({ app: ['app-1'], version: '1.0.0' }), create({ app: 'app-1', version: '9.0.0', 'dry-run': 'true' })]);
      const other = await create({ app: 'app-1', version: '9.0.0' }, customTaskRef('prod'));
      expect(condition(await done(bad)).message).toMatch(/^bad input: param version: expected a SemVer 2 version/);
      expect(condition(await done(list)).message).toBe('param app: expected a string, got an array');
      expect(condition(await done(dry)).message).toBe('param dry-run: the deploy controller lands what it is given; for a dry run use the Task deploy-test');
      for (const n of [bad, list, dry]) expect(condition(await read(n)).status).toBe('False');
      expect(await env.head()).toBe(head);
      expect((await read(other)).status?.conditions).toBeUndefined();
      for (const line of controller!.lines) expect(line).not.toContain(CRED.password);
    });

    it('the git server down while it serves: each run fails in bounded time with one line, nothing written, no secret in a status; back up, the next run lands', { timeout: 180_000 }, async () => {
      const env = bare(server, repo);
      const head = await env.head();
      await server.pause();
      const failed = await Promise.all((await Promise.all(['app-5', 'app-6'].map((app) => create({ app, version: '6.0.0' })))).map((n) => done(n, 120_000)));
      await server.resume();
      for (const run of failed) {
        expect(condition(run).status).toBe('False');
        expect(condition(run).message).toMatch(/^test repo http:\/\/127\.0\.0\.1:\d+\/gitops-controller\.git unreachable after 2 attempts: (clone|fetch|push): connection refused/);
        expect(JSON.stringify(run)).not.toContain(CRED.password);
      }
      expect(await env.head()).toBe(head);
      expect(condition(await done(await create({ app: 'app-5', version: '6.0.0' }))).status).toBe('True');
      expect(parse(await env.show('apps/app-5/Chart.yaml')).dependencies[0].version).toBe('6.0.0');
    });

    it('a run cancelled before it is served fails as cancelled; a restarted controller serves what arrived while it was down', { timeout: 120_000 }, async () => {
      const env = bare(server, repo);
      expect(await controller!.stop()).toBe(0);
      controller = undefined;
      const cancelled = await create({ app: 'app-3', version: '5.0.0' });
      // What Tekton does to a CustomRun when its PipelineRun is cancelled or times out.
      await runs().patchNamespacedCustomObject({ ...WHERE, name: cancelled, body: { spec: { status: 'RunCancelled', statusMessage: 'the PipelineRun was cancelled' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      const waiting = await create({ app: 'app-2', version: '5.0.0' });
      controller = await startDeployController('test', objects, sa);
      expect(condition(await done(waiting)).status).toBe('True');
      const c = condition(await done(cancelled));
      expect([c.status, c.reason, c.message]).toEqual(['False', 'CustomRunCancelled', 'the PipelineRun was cancelled']);
      expect(parse(await env.show('apps/app-2/Chart.yaml')).dependencies[0].version).toBe('5.0.0');
      expect(parse(await env.show('apps/app-3/Chart.yaml')).dependencies[0].version).not.toBe('5.0.0');
    });
  });
}
