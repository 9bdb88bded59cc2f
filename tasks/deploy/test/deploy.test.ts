import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startGitServer, type GitRepo, type GitServer } from '../../../test/stack/index.ts';
import { appDir, layoutFile, shardOf } from '@hat/gitops';
import { appFiles, bare, envObjects, runDeploy, tempDir } from './helpers.ts';

const TEST_CRED = { username: 'deploy-test', password: 'test-Secret-4711' };
const PROD_CRED = { username: 'deploy-prod', password: 'prod-Secret-0815' };

let server: GitServer;
let gitopsTest: GitRepo;
let gitopsProd: GitRepo;
const captured: string[] = [];

beforeAll(async () => {
  server = await startGitServer();
  gitopsTest = await server.createRepo('gitops-test', TEST_CRED);
  gitopsProd = await server.createRepo('gitops-prod', PROD_CRED);
  await server.seedRepo('gitops-test', { 'README.md': '# test env\n', ...appFiles('web', '1.0.0'), ...appFiles('api', '2.0.0') }, 'scaffold');
  await server.seedRepo('gitops-prod', { 'README.md': '# prod env\n', ...appFiles('web', '1.0.0') }, 'scaffold');
});
afterAll(async () => {
  await server?.stop();
});

const keep = <T extends { log: string; results: Record<string, string> }>(r: T): T => {
  captured.push(r.log, JSON.stringify(r.results));
  return r;
};

describe('deploy-test', () => {
  it('commits the version into apps/<app>/ of the test repo, with trailers, and changes nothing else', async () => {
    const objects = await envObjects('test', gitopsTest, TEST_CRED);
    const repo = bare(server, gitopsTest);
    const before = await repo.count();
    const r = keep(await runDeploy('test', objects, { app: 'web', version: '1.1.0', 'source-url': 'http://src/web.git', 'source-commit': 'abc123', 'pipeline-run': 'web-run-1' }));
    expect(r.exitCode, r.log).toBe(0);
    expect(r.results.changed).toBe('true');
    expect(r.results['previous-version']).toBe('1.0.0');
    expect(r.results.commit).toBe(await repo.head());
    expect(await repo.count()).toBe(before + 1);
    expect(parse(await repo.show('apps/web/Chart.yaml')).dependencies[0].version).toBe('1.1.0');
    expect(await repo.show('apps/web/values.yaml')).toBe(appFiles('web', '1.0.0')['apps/web/values.yaml']!.replace('"1.0.0"', '"1.1.0"'));
    expect(await repo.show('apps/api/Chart.yaml')).toBe(appFiles('api', '2.0.0')['apps/api/Chart.yaml']);
    const message = await repo.log('-1', '--format=%B');
    expect(message.split('\n')[0]).toBe('deploy(web): 1.0.0 → 1.1.0 (test)');
    for (const trailer of ['Hat-App: web', 'Hat-Env: test', 'Hat-Version: 1.1.0', 'Hat-Previous-Version: 1.0.0', 'Hat-Source: http://src/web.git', 'Hat-Source-Commit: abc123', 'Hat-PipelineRun: web-run-1', 'Hat-Rollback: false']) {
      expect(message).toContain(trailer);
    }
    expect(await repo.log('-1', '--format=%an <%ae>')).toBe('HAT test <hat-test@example.com>');
    expect(r.results.diff).toContain('+    tag: "1.1.0"  # set by deploy');
  });

  it('run twice: the second run changes nothing (one commit)', async () => {
    const objects = await envObjects('test', gitopsTest, TEST_CRED);
    const repo = bare(server, gitopsTest);
    const first = keep(await runDeploy('test', objects, { app: 'api', version: '2.1.0' }));
    expect(first.exitCode, first.log).toBe(0);
    const count = await repo.count();
    const second = keep(await runDeploy('test', objects, { app: 'api', version: '2.1.0' }));
    expect(second.exitCode, second.log).toBe(0);
    expect(second.results).toMatchObject({ changed: 'false', commit: '', 'previous-version': '2.1.0' });
    expect(await repo.count()).toBe(count);
  });

  it("the test credential is refused on the prod repo: one clear line, nothing pushed, no secret in it", async () => {
    const objects = await envObjects('test', gitopsProd, TEST_CRED);
    const repo = bare(server, gitopsProd);
    const head = await repo.head();
    const r = keep(await runDeploy('test', objects, { app: 'web', version: '9.9.9' }));
    expect(r.exitCode).toBe(1);
    expect(r.errorLine).toMatch(/^error: test repo http:\/\/127\.0\.0\.1:\d+\/gitops-prod\.git: authentication refused; check its credentials$/);
    expect(await repo.head()).toBe(head);
  });

  it('has no param that could point it at another repo', async () => {
    const { renderTaskObject, devImage } = await import('@hat/task-spec');
    const { deployTask } = await import('@hat/task-deploy');
    const task = renderTaskObject(deployTask('test'), { version: 'dev', image: devImage('deploy') }) as any;
    expect(task.spec.params.some((p: { name: string }) => /^(repo|url|branch|env|password|username|token)$/.test(p.name))).toBe(false);
    expect(task.spec.volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'gitops-config', configMap: { name: 'hat-gitops-test', optional: true } },
      { name: 'gitops-credentials', secret: { secretName: 'hat-gitops-test', optional: true } },
    ]);
    expect(task.spec.steps[0].env).toContainEqual({ name: 'HAT_ENV', value: 'test' });
  });
});

describe('bad input: one line naming the param, exit 2, nothing pushed', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['app with a slash', { app: 'web/../../etc', version: '1.0.0' }, /param app: .*DNS-1123 label/],
    ['app with ..', { app: '..', version: '1.0.0' }, /param app: .*DNS-1123 label/],
    ['upper-case app', { app: 'Web', version: '1.0.0' }, /param app: /],
    ['version not SemVer', { app: 'web', version: '1.2' }, /param version: .*SemVer 2/],
    ['version with build metadata (not an OCI tag)', { app: 'web', version: '1.2.3+build.1' }, /param version: .*image tag/],
    ['both wrong at once', { app: 'a_b', version: 'v1' }, /param app: .*; param version: /],
    ['sync-timeout not a duration', { app: 'web', version: '1.0.0', 'wait-for-sync': 'true', 'sync-timeout': '5 minutes' }, /param sync-timeout: expected a duration: a whole number of s, m or h, e\.g\. 90s, 5m or 1h/],
    ['argocd-namespace not a namespace name', { app: 'web', version: '1.0.0', 'argocd-namespace': 'Argo_CD' }, /param argocd-namespace: expected a namespace name/],
  ];
  for (const [name, params, pattern] of cases) {
    it(name, async () => {
      const objects = await envObjects('test', gitopsTest, TEST_CRED);
      const head = await bare(server, gitopsTest).head();
      const r = keep(await runDeploy('test', objects, params));
      expect(r.exitCode).toBe(2);
      expect(r.errorLine).toMatch(pattern);
      expect(await bare(server, gitopsTest).head()).toBe(head);
    });
  }

  it('a missing hat-gitops-<env> ConfigMap or Secret (mounted optional: an empty folder) fails naming the object and how to create it', async () => {
    const objects = await envObjects('stage', gitopsTest, TEST_CRED);
    const empty = await tempDir('hat-empty-mount-');
    const noConfig = keep(await runDeploy('stage', { ...objects, config: empty }, { app: 'web', version: '1.0.0' }));
    expect(noConfig.exitCode).toBe(1);
    expect(noConfig.errorLine).toBe('error: ConfigMap hat-gitops-stage is missing or empty in this namespace, so the stage env repo is unknown: create it with hat install --env-config stage=FILE (keys url, optional branch, author-name, author-email)');
    const noSecret = keep(await runDeploy('stage', { ...objects, secret: empty }, { app: 'web', version: '1.0.0' }));
    expect(noSecret.exitCode).toBe(1);
    expect(noSecret.errorLine).toBe('error: Secret hat-gitops-stage is missing or empty in this namespace, so there is no credential for the stage env repo: create it with hat install --env-secret stage=PATH (username and password, or ssh-privatekey and known_hosts)');
  });

  it('wait-for-sync without a cluster to ask (no pod service account, no KUBECONFIG) fails before anything is pushed', async () => {
    const objects = await envObjects('test', gitopsTest, TEST_CRED);
    const head = await bare(server, gitopsTest).head();
    const r = keep(await runDeploy('test', objects, { app: 'web', version: '7.0.0', 'wait-for-sync': 'true' }));
    expect(r.exitCode).toBe(1);
    expect(r.errorLine).toBe('error: wait-for-sync needs a Kubernetes cluster: run it in a pod (its service account) or set KUBECONFIG');
    expect(await bare(server, gitopsTest).head()).toBe(head);
  });

  it('missing app folder names the folder', async () => {
    const objects = await envObjects('test', gitopsTest, TEST_CRED);
    const r = keep(await runDeploy('test', objects, { app: 'nope', version: '1.0.0' }));
    expect(r.exitCode).toBe(2);
    expect(r.errorLine).toMatch(/apps\/nope\/ not found in test repo .*hat env add-app/);
  });

  it('a lower version is refused unless rollback=true, which is marked in the commit', async () => {
    const objects = await envObjects('test', gitopsTest, TEST_CRED);
    await server.seedRepo('gitops-test', appFiles('rb', '3.0.0'), 'add rb');
    const refused = keep(await runDeploy('test', objects, { app: 'rb', version: '2.9.0' }));
    expect(refused.exitCode).toBe(2);
    expect(refused.errorLine).toMatch(/version 2\.9\.0 is lower than 3\.0\.0 deployed in test; pass rollback=true/);
    const rolled = keep(await runDeploy('test', objects, { app: 'rb', version: '2.9.0', rollback: 'true' }));
    expect(rolled.exitCode, rolled.log).toBe(0);
    expect(await bare(server, gitopsTest).log('-1', '--format=%B')).toContain('Hat-Rollback: true');
  });

  it('malformed YAML in the env repo names the file and line, exit 1, nothing pushed', async () => {
    const objects = await envObjects('test', gitopsTest, TEST_CRED);
    await server.seedRepo('gitops-test', { 'apps/broken/Chart.yaml': appFiles('broken', '1.0.0')['apps/broken/Chart.yaml']!, 'apps/broken/values.yaml': 'broken:\n  image:\n    tag: [1.0.0\n' }, 'add broken');
    const head = await bare(server, gitopsTest).head();
    const r = keep(await runDeploy('test', objects, { app: 'broken', version: '1.1.0' }));
    expect(r.exitCode).toBe(1);
    expect(r.errorLine).toMatch(/apps\/broken\/values\.yaml:\d+/);
    expect(await bare(server, gitopsTest).head()).toBe(head);
  });

  it('creates values.yaml with the image tag when the app folder has none', async () => {
    const objects = await envObjects('test', gitopsTest, TEST_CRED);
    await server.seedRepo('gitops-test', { 'apps/novalues/Chart.yaml': appFiles('novalues', '1.0.0')['apps/novalues/Chart.yaml']! }, 'add novalues');
    const r = keep(await runDeploy('test', objects, { app: 'novalues', version: '1.0.1' }));
    expect(r.exitCode, r.log).toBe(0);
    expect(parse(await bare(server, gitopsTest).show('apps/novalues/values.yaml'))).toEqual({ novalues: { image: { tag: '1.0.1' } } });
  });

  it('dry-run prints the diff and pushes nothing', async () => {
    const objects = await envObjects('test', gitopsTest, TEST_CRED);
    const head = await bare(server, gitopsTest).head();
    const r = keep(await runDeploy('test', objects, { app: 'web', version: '1.5.0', 'dry-run': 'true' }));
    expect(r.exitCode, r.log).toBe(0);
    expect(r.results.changed).toBe('true');
    expect(r.results.commit).toBe('');
    expect(r.results.diff).toMatch(/-    version: 1\.1\.0\n\+    version: 1\.5\.0/);
    expect(r.log).toContain('+    version: 1.5.0');
    expect(await bare(server, gitopsTest).head()).toBe(head);
  });
});

describe('a sharded env repo (hat.yaml: layout: sharded)', () => {
  const sharded = (app: string, v: string) => Object.fromEntries(Object.entries(appFiles(app, v)).map(([f, text]) => [f.replace(`apps/${app}/`, `${appDir(app, 'sharded')}/`), text]));

  it('deploys into apps/<shard>/<app>/, changing nothing of the other shards', async () => {
    const repo = await server.createRepo('gitops-sharded', TEST_CRED);
    await server.seedRepo(repo.name, { 'README.md': '# sharded\n', 'hat.yaml': layoutFile('sharded'), ...sharded('web', '1.0.0'), ...sharded('api', '2.0.0') }, 'scaffold');
    expect(shardOf('web')).not.toBe(shardOf('api')); // the test needs two shards
    const objects = await envObjects('test', repo, TEST_CRED);
    const b = bare(server, repo);
    const before = await b.head();

    const r = keep(await runDeploy('test', objects, { app: 'web', version: '1.1.0' }));

    expect(r.exitCode, r.log).toBe(0);
    expect(r.log).toContain(`cloned apps/${shardOf('web')}/web/ of test repo`);
    expect(parse(await b.show(`apps/${shardOf('web')}/web/Chart.yaml`)).dependencies[0].version).toBe('1.1.0');
    expect((await b.git('diff-tree', '-r', '--no-commit-id', '--name-only', 'main')).split('\n').sort()).toEqual([`apps/${shardOf('web')}/web/Chart.yaml`, `apps/${shardOf('web')}/web/values.yaml`]);
    expect(await b.git('rev-parse', `main:apps/${shardOf('api')}`)).toBe(await b.git('rev-parse', `${before}:apps/${shardOf('api')}`));

    const missing = keep(await runDeploy('test', objects, { app: 'nope', version: '1.0.0' }));
    expect(missing.exitCode).toBe(2);
    expect(missing.errorLine).toContain(`apps/${shardOf('nope')}/nope/ not found in test repo`);
  });

  it('a hat.yaml naming a layout HAT does not know: one line naming the file, exit 1, nothing pushed', async () => {
    const repo = await server.createRepo('gitops-badlayout', TEST_CRED);
    await server.seedRepo(repo.name, { 'hat.yaml': 'layout: diagonal\n', ...appFiles('web', '1.0.0') }, 'scaffold');
    const head = await bare(server, repo).head();
    const r = keep(await runDeploy('test', await envObjects('test', repo, TEST_CRED), { app: 'web', version: '1.1.0' }));
    expect(r.exitCode).toBe(1);
    expect(r.errorLine).toBe('error: hat.yaml: layout: expected flat or sharded, got "diagonal"');
    expect(await bare(server, repo).head()).toBe(head);
  });
});

describe('faults', () => {
  it('git server down during a run: bounded retries, a clear error, nothing half-written; back up: the next run succeeds', async () => {
    const objects = await envObjects('test', gitopsTest, TEST_CRED);
    const repo = bare(server, gitopsTest);
    const head = await repo.head();
    let paused: Promise<void> | undefined;
    const r = keep(await runDeploy('test', objects, { app: 'web', version: '1.6.0' }, (line) => {
      if (!paused && line.includes('cloned apps/web/')) paused = server.pause();
    }));
    await paused;
    expect(r.exitCode).toBe(1);
    // Nothing listens while the server is down: a refused connection is tried twice, not like a timeout.
    expect(r.errorLine).toMatch(/^error: test repo http:\/\/127\.0\.0\.1:\d+\/gitops-test\.git unreachable after 2 attempts: push: connection refused \(/);
    expect(r.errorLine!.match(/gitops-test\.git/g)).toHaveLength(1);
    expect(r.log.match(/push: connection refused \(.*\) \(attempt \d\/2\); retrying/g)).toHaveLength(1);
    await server.resume();
    expect(await repo.head()).toBe(head);
    const again = keep(await runDeploy('test', objects, { app: 'web', version: '1.6.0' }));
    expect(again.exitCode, again.log).toBe(0);
    expect(parse(await repo.show('apps/web/Chart.yaml')).dependencies[0].version).toBe('1.6.0');
  });
});

describe('secrets', () => {
  it('never appear in logs, results, commits or the server repo', async () => {
    expect(captured.length).toBeGreaterThan(10);
    const everything = [captured.join('\n'), await bare(server, gitopsTest).everything(), await bare(server, gitopsProd).everything()].join('\n');
    for (const secret of [TEST_CRED.password, PROD_CRED.password, Buffer.from(`${TEST_CRED.username}:${TEST_CRED.password}`).toString('base64')]) {
      expect(everything).not.toContain(secret);
    }
  });
});
