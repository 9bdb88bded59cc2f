import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import path from 'node:path';
import { createLogger } from '@hat/task-runtime';
import { repoRoot } from '@hat/task-runner';
import { runDemo } from '../src/demo/demo.ts';

describe('hat demo (end to end: real git server, registry, helm, buildah; catalog Task YAML run locally)', () => {
  it('promotes main → test, release/* → stage, a tag → prod (only what stage ran: a tag on another commit is refused), and each env renders the image of its version', { timeout: 600_000 }, async () => {
    const r = await execa(process.execPath, [path.join(repoRoot, 'cli/bin/hat.mjs'), 'demo', '--json'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { rows: Array<{ env: string; version: string; image: string; imageMatches: boolean }>; runs: Array<{ ref: string; env: string; status: string; version: string }>; refused: { ref: string; env: string; message: string } };
    expect(result.runs.map((x) => [x.ref, x.env, x.status])).toEqual([
      ['refs/heads/main', 'test', 'Completed'],
      ['refs/heads/release/1.0', 'stage', 'Completed'],
      ['refs/tags/v1.0.0', 'prod', 'Completed'],
    ]);
    const byEnv = Object.fromEntries(result.rows.map((row) => [row.env, row]));
    expect(byEnv['test']!.version).toMatch(/^0\.0\.1-main\.1\.g[0-9a-f]{7}$/);
    expect(byEnv['stage']!.version).toMatch(/^1\.0\.0-rc\.2\.g[0-9a-f]{7}$/);
    // v1.0.0 tags the commit stage ran, so prod took it; v1.0.1 tags a commit stage never ran: refused, prod stays at 1.0.0.
    expect(byEnv['prod']!.version).toBe('1.0.0');
    expect(result.refused).toMatchObject({ ref: 'refs/tags/v1.0.1', env: 'prod' });
    expect(result.refused.message).toMatch(/^error: prod takes only what stage ran: web 1\.0\.1 \(source commit [0-9a-f]{12}\) was never deployed to stage \(http:\/\/127\.0\.0\.1:\d+\/gitops-stage\.git\); deploy it to stage first/);
    expect(r.stderr).toMatch(/✓ refused as it should be: error: prod takes only what stage ran/);
    for (const row of result.rows) {
      expect(row.image).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+/apps/web:${row.version.replace(/\./g, '\\.')}$`));
      expect(row.imageMatches).toBe(true);
    }
    expect(r.stderr).toMatch(/✓ deploy-prod/);
    expect(r.stderr).toMatch(/demo done in/);
  });

  it("a failing step makes the demo fail with that step's error line", { timeout: 300_000 }, async () => {
    const lines: string[] = [];
    const broken = runDemo({
      out: (l) => lines.push(l),
      verbose: false,
      log: createLogger({ write: () => undefined }),
      editApp: (files) => ({ ...files, 'test.sh': '#!/bin/sh\necho "error: 1 test failed: the page has no title" >&2\nexit 1\n' }),
    });
    await expect(broken).rejects.toThrow('pipeline run 1 (refs/heads/main) failed in tests: error: 1 test failed: the page has no title');
    expect(lines.some((l) => l.includes('✗ tests'))).toBe(true);
    expect(lines.some((l) => l.includes('build-image'))).toBe(false);
  });
});

describe('hat run (a user app through the same local pipeline)', () => {
  it('pushes the source ref to a local git server, runs the pipeline, and deploys to the env its rules pick', { timeout: 300_000 }, async () => {
    const { mkdtemp, mkdir, writeFile, copyFile, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const { exampleAppFiles } = await import('../src/demo/example-app.ts');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-run-app-'));
    try {
      const files = exampleAppFiles({ name: 'shop', imageRepository: 'registry.example.com/acme/shop', chartRepository: 'oci://registry.example.com/charts', gitUrl: 'https://git.example.com/acme/shop.git' }, { page: 'hello' });
      for (const [rel, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
        await writeFile(path.join(dir, rel), content);
      }
      await copyFile('/bin/busybox', path.join(dir, 'busybox'));
      const g = (...args: string[]) => execa('git', args, { cwd: dir, env: { GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@x', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@x' } });
      await g('init', '--quiet', '--initial-branch', 'release/2.0');
      await g('add', '.');
      await g('commit', '--quiet', '-m', 'shop');
      const r = await execa(process.execPath, [path.join(repoRoot, 'cli/bin/hat.mjs'), 'run', '--values', path.join(dir, '.hat/pipeline-values.yaml'), '--source', dir], { reject: false });
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/push of refs\/heads\/release\/2\.0 → target env stage/);
      expect(r.stdout).toMatch(/= shop 2\.0\.0-rc\.1\.g[0-9a-f]{7} deployed to stage/);
      expect(r.stdout).toMatch(/stage\s+2\.0\.0-rc\.1\.g[0-9a-f]{7}\s+127\.0\.0\.1:\d+\/apps\/shop:2\.0\.0-rc\.1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
