// require-upstream ("prod only from stage") against the real git server: prod takes a version stage ran, or a deploy
// of the same source commit, or a rollback to a version prod ran itself; anything else is refused in one line naming
// env, version and commit, with nothing pushed. Also from the CLI (hat deploy --require).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@hat/task-runner';
import { createLogger, type TaskContext } from '@hat/task-runtime';
import { readEnvRepoConfig } from '../src/credentials.ts';
import { lander } from '../src/push.ts';
import { startGitServer, type GitRepo, type GitServer } from '../../../test/stack/index.ts';
import { appFiles, bare, envObjects, runDeploy, tempDir } from './helpers.ts';

const STAGE = { username: 'deploy-stage', password: 'stage-Secret-2718' };
const STAGE_READ = { username: 'stage-reader', password: 'stage-Read-3141' };
const PROD = { username: 'deploy-prod', password: 'prod-Secret-1618' };
const A = 'a1'.repeat(20);
const B = 'b2'.repeat(20);

let server: GitServer;
let stage: GitRepo;
let prod: GitRepo;

beforeAll(async () => {
  server = await startGitServer();
  stage = await server.createRepo('gitops-stage', STAGE);
  await server.addCredential('gitops-stage', STAGE_READ);
  prod = await server.createRepo('gitops-prod', PROD);
  await server.seedRepo('gitops-stage', { 'README.md': '# stage\n', ...appFiles('web', '1.0.0') }, 'scaffold');
  await server.seedRepo('gitops-prod', { 'README.md': '# prod\n', ...appFiles('web', '1.0.0') }, 'scaffold');
});
afterAll(async () => {
  await server?.stop();
});

/** prod's objects with require-upstream: stage (and the stage reader's credentials). */
async function prodObjects(reader = STAGE_READ) {
  const objects = await envObjects('prod', prod, PROD);
  await writeFile(path.join(objects.config, 'require-upstream'), 'stage');
  await writeFile(path.join(objects.config, 'upstream-url'), stage.url);
  await writeFile(path.join(objects.secret, 'upstream-username'), reader.username);
  await writeFile(path.join(objects.secret, 'upstream-password'), reader.password);
  return objects;
}

describe('require-upstream: prod only from what stage ran', () => {
  it('takes the version stage ran, or the same source commit under the tag\'s own version; refuses anything else, nothing pushed', async () => {
    const staged = await runDeploy('stage', await envObjects('stage', stage, STAGE), { app: 'web', version: '1.1.0-rc.1', 'source-commit': A });
    expect(staged.exitCode, staged.log).toBe(0);
    const objects = await prodObjects();

    const sameVersion = await runDeploy('prod', objects, { app: 'web', version: '1.1.0-rc.1' });
    expect(sameVersion.exitCode, sameVersion.log).toBe(0);
    expect(sameVersion.log).toMatch(/require-upstream stage: stage ran web 1\.1\.0-rc\.1 \(stage commit [0-9a-f]{12}\)/);
    // The tag v1.1.0 on the commit stage ran: another version, the same source.
    const sameSource = await runDeploy('prod', objects, { app: 'web', version: '1.1.0', 'source-commit': A.slice(0, 7) });
    expect(sameSource.exitCode, sameSource.log).toBe(0);
    expect(sameSource.log).toContain(`require-upstream stage: stage ran source commit ${A.slice(0, 7)} as web 1.1.0-rc.1`);

    const head = await bare(server, prod).head();
    const refused = await runDeploy('prod', objects, { app: 'web', version: '1.2.0', 'source-commit': B });
    expect(refused.exitCode).toBe(2);
    expect(refused.errorLine).toBe(`error: prod takes only what stage ran: web 1.2.0 (source commit ${B.slice(0, 12)}) was never deployed to stage (${stage.url}); deploy it to stage first, or roll back to a version this env ran before (rollback=true)`);
    expect(await bare(server, prod).head()).toBe(head);

    // A rollback to a version prod ran before (1.1.0-rc.1), not what stage runs now: allowed. One prod never ran: refused.
    const back = await runDeploy('prod', objects, { app: 'web', version: '1.1.0-rc.1', rollback: 'true' });
    expect(back.exitCode, back.log).toBe(0);
    const notRun = await runDeploy('prod', objects, { app: 'web', version: '1.0.1', rollback: 'true' });
    expect(notRun.exitCode).toBe(2);
    expect(notRun.errorLine).toMatch(/^error: prod takes only what stage ran: web 1\.0\.1 \(no source commit given\) was never deployed to stage .*; deploy it to stage first$/);
    for (const r of [sameVersion, refused, back]) expect(r.log).not.toContain(STAGE_READ.password);
  });

  it('an upstream it cannot read, or a require-upstream without upstream-url: a clear error, nothing pushed', async () => {
    const head = await bare(server, prod).head();
    const denied = await runDeploy('prod', await prodObjects({ username: 'stage-reader', password: 'wrong-password-99' }), { app: 'web', version: '3.0.0' });
    expect(denied.exitCode).toBe(1);
    expect(denied.errorLine).toBe(`error: prod takes only what stage ran, but the stage repo ${stage.url} cannot be read (its credentials were refused); nothing written`);
    expect(denied.log).not.toContain('wrong-password-99');
    const objects = await envObjects('prod', prod, PROD);
    await writeFile(path.join(objects.config, 'require-upstream'), 'stage');
    const incomplete = await runDeploy('prod', objects, { app: 'web', version: '3.0.0' });
    expect([incomplete.exitCode, incomplete.errorLine]).toEqual([2, 'error: ConfigMap hat-gitops-prod has require-upstream: stage but no upstream-url (the stage env repo, read to check what ran there)']);
    expect(await bare(server, prod).head()).toBe(head);
  });

  it('hat deploy --require stage=URL: the same rule from a laptop', async () => {
    const home = await tempDir('hat-upstream-home-');
    const hat = (...args: string[]) => execa(process.execPath, [path.join(repoRoot, 'cli/bin/hat.mjs'), ...args], { reject: false, env: { HOME: home, HAT_GIT_USERNAME: PROD.username, HAT_GIT_PASSWORD: PROD.password, GIT_AUTHOR_NAME: 'Sam', GIT_AUTHOR_EMAIL: 's@x' } });
    await server.addCredential('gitops-stage', PROD);
    const ok = await hat('deploy', 'web', '1.1.1', '--env', 'prod', '--repo', prod.url, '--require', `stage=${stage.url}`, '--source-commit', A);
    expect(ok.exitCode, ok.stderr).toBe(0);
    const no = await hat('deploy', 'web', '1.3.0', '--env', 'prod', '--repo', prod.url, '--require', `stage=${stage.url}`);
    expect([no.exitCode, no.stderr.trim()]).toEqual([2, `error: prod takes only what stage ran: web 1.3.0 (no source commit given) was never deployed to stage (${stage.url}); deploy it to stage first, or roll back to a version this env ran before (rollback=true)`]);
    expect((await hat('deploy', 'web', '1.3.0', '--env', 'prod', '--repo', prod.url, '--require', 'stage')).stderr.trim()).toBe('error: --require: expected ENV=URL of the env whose runs this one takes, e.g. stage=https://git.example.com/gitops/stage.git (got "stage")');
  });
});

describe('require-upstream in a batch the landing queue\'s holder lands', () => {
  it('reads the upstream history once for the whole batch, lands what stage ran, refuses the rest one by one', async () => {
    for (const [repo, name] of [[stage, 'gitops-stage'], [prod, 'gitops-prod']] as const) {
      await server.seedRepo(name, { ...appFiles('api', '1.0.0'), ...appFiles('worker', '1.0.0') }, `${repo.name}: api and worker`);
    }
    const stageObjects = await envObjects('stage', stage, STAGE);
    for (const app of ['web', 'api', 'worker']) expect((await runDeploy('stage', stageObjects, { app, version: '4.0.0' })).exitCode).toBe(0);
    const objects = await prodObjects();
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    const repo = await readEnvRepoConfig('prod', objects.config, objects.secret);
    const request = (app: string, version: string) => ({ app, version, rollback: false, 'tls-verify': true });
    const holder = lander({ env: 'prod', repo, dryRun: false, ctx: { log, env: {}, signal: new AbortController().signal } as unknown as TaskContext });
    try {
      const outcomes = await holder.land([request('web', '4.0.0'), request('api', '4.0.0'), request('worker', '4.0.0'), request('web', '9.9.9')]);
      expect(outcomes.slice(0, 3).map((o) => ('ok' in o ? o.ok.status : o.error))).toEqual(['deployed', 'deployed', 'deployed']);
      expect(outcomes[3]).toMatchObject({ exitCode: 2, error: expect.stringContaining('prod takes only what stage ran: web 9.9.9') });
    } finally {
      await holder.close();
    }
    expect(lines.filter((l) => l.startsWith('read the stage repo\'s deploy history for the batch')).length).toBe(1);
    for (const app of ['web', 'api', 'worker']) expect(await bare(server, prod).show(`apps/${app}/values.yaml`)).toContain('tag: "4.0.0"');
  });
});
