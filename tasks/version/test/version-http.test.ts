// The shallow clone a pipeline's git-clone step leaves, deepened over real smart HTTP with basic auth.
import path from 'node:path';
import { execa } from 'execa';
import { startGitServer, type GitServer } from '../../../test/stack/index.ts';
import { runTaskLocally } from '@hat/task-runner';
import { devImage, renderTaskObject } from '@hat/task-spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definition } from '../src/task.ts';
import { createRepo, tempDir } from './repo-fixture.ts';

const task = renderTaskObject(definition, { version: 'dev', image: devImage(definition.program) });
let server: GitServer;

beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('version task against a git server', () => {
  it('deepens a depth-1 clone over HTTP and keeps the credential out of its log', async () => {
    const password = 'version-task-secret-9f3c';
    const remote = await server.createRepo('apps/shop', { username: 'ci', password });
    const local = await createRepo();
    await local.commit('one');
    await local.git('tag', '-a', 'v3.0.0', '-m', 'release 3.0.0');
    await local.commit('two');
    const head = await local.commit('three');
    await execa('git', ['push', '--quiet', '--follow-tags', remote.cloneUrlWithAuth, 'main'], { cwd: local.dir });
    await execa('git', ['push', '--quiet', remote.cloneUrlWithAuth, 'v3.0.0'], { cwd: local.dir });

    const shallowDir = path.join(await tempDir('hat-version-http-'), 'src');
    await execa('git', ['clone', '--quiet', '--depth', '1', '--no-tags', remote.cloneUrlWithAuth, shallowDir]);
    await execa('git', ['checkout', '--quiet', '--detach', 'HEAD'], { cwd: shallowDir });

    const result = await runTaskLocally({ task, params: { branch: 'main' }, workspaces: { source: shallowDir } });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.results).toMatchObject({ version: `3.0.1-main.2.g${head.slice(0, 7)}`, branch: 'main', 'is-release': 'false' });
    expect(result.log).not.toContain(password);
    expect(JSON.stringify(result.results)).not.toContain(password);
  });
});
