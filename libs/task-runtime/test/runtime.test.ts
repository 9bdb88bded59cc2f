import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { execa } from 'execa';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import * as z from 'zod';
import { defineTask, resultPathEnv } from '@hat/task-spec';
import { CommandError, createLogger, executeTask, InputError, mask, NETWORK_ATTEMPTS, readParamsFromEnv, REFUSED_ATTEMPTS, RefusedError, registerSecret, retry, run, TransientError, withRetry } from '@hat/task-runtime';

const task = defineTask({
  name: 'sample',
  displayName: 'Sample',
  description: 'A sample.',
  categories: ['Test'],
  tags: ['test'],
  params: z.object({
    app: z.string().regex(/^[a-z]+$/, 'lower-case letters').describe('App'),
    'dry-run': z.stringbool().default(false).describe('Dry run'),
    'source.url': z.string().optional().describe('Source'),
  }),
  results: { out: { description: 'Output' } },
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-rt-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ write: (l) => lines.push(l) }) };
}

describe('params from env', () => {
  it('reads PARAM_<NAME> with - and . mapped to _, applies defaults and coercion', () => {
    const p = readParamsFromEnv(task, { PARAM_APP: 'web', PARAM_DRY_RUN: 'true', PARAM_SOURCE_URL: 'https://x' });
    expect(p).toEqual({ app: 'web', 'dry-run': true, 'source.url': 'https://x' });
    expect(readParamsFromEnv(task, { PARAM_APP: 'web', PARAM_SOURCE_URL: '' })).toEqual({ app: 'web', 'dry-run': false });
  });

  it('reports every bad param at once, in one line naming each and what was expected', () => {
    let err: unknown;
    try {
      readParamsFromEnv(task, { PARAM_APP: 'Web/1', PARAM_DRY_RUN: 'maybe' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(/param app: .*lower-case letters.*"Web\/1"/);
    expect(msg).toMatch(/param dry-run: expected one of .*"true".*"maybe"/);
  });

  it('names a missing required param', () => {
    expect(() => readParamsFromEnv(task, {})).toThrow(/param app: is required/);
  });
});

describe('executeTask', () => {
  it('writes results to $(results.<name>.path) and exits 0', async () => {
    const dir = await tempDir();
    const { log } = capture();
    const env = { PARAM_APP: 'web', [resultPathEnv('out')]: path.join(dir, 'out') };
    const code = await executeTask(task, async (p) => ({ out: `hello ${p.app}` }), { env, log });
    expect(code).toBe(0);
    expect(await readFile(path.join(dir, 'out'), 'utf8')).toBe('hello web');
  });

  it('maps bad input to exit 2 and failures to exit 1, with `error: …` as the last line', async () => {
    const bad = capture();
    expect(await executeTask(task, async () => ({ out: '' }), { env: { PARAM_APP: 'X' }, log: bad.log })).toBe(2);
    expect(bad.lines.at(-1)).toMatch(/^error: bad input: param app/);
    const failed = capture();
    const code = await executeTask(task, async () => { throw new TransientError('server down\nafter retries'); }, { env: { PARAM_APP: 'web' }, log: failed.log });
    expect(code).toBe(1);
    expect(failed.lines.at(-1)).toBe('error: server down after retries');
  });

  it("refuses results over Tekton's size limit and writes none of them", async () => {
    const dir = await tempDir();
    const { lines, log } = capture();
    const env = { PARAM_APP: 'web', [resultPathEnv('out')]: path.join(dir, 'out') };
    expect(await executeTask(task, async () => ({ out: 'x'.repeat(5000) }), { env, log })).toBe(1);
    expect(lines.at(-1)).toMatch(/over Tekton's limit of 4096/);
    await expect(readFile(path.join(dir, 'out'))).rejects.toThrow();
  });

  it('masks registered secrets in logs and results', async () => {
    const dir = await tempDir();
    const { lines, log } = capture();
    const env = { PARAM_APP: 'web', [resultPathEnv('out')]: path.join(dir, 'out') };
    const code = await executeTask(task, async () => {
      registerSecret('s3cr3t-token');
      log.info('using s3cr3t-token for https://bob:pw1234@example.com/x');
      return { out: 'leak s3cr3t-token' };
    }, { env, log });
    expect(code).toBe(0);
    expect(lines.join('\n')).not.toContain('s3cr3t-token');
    expect(lines.join('\n')).not.toContain('pw1234');
    expect(await readFile(path.join(dir, 'out'), 'utf8')).toBe('leak ***');
  });
});

describe('run and retry', () => {
  it('runs an argument array, never a shell, and reports failures as CommandError with the stderr tail', async () => {
    expect((await run('echo', ['$(params.x); rm -rf /'])).stdout).toBe('$(params.x); rm -rf /');
    await expect(run('sh', ['-c', 'echo boom >&2; exit 3'])).rejects.toSatisfy((e) => e instanceof CommandError && e.commandExitCode === 3 && /boom/.test(e.message));
  });

  it('streams output lines as they come (masked), and still returns the output', async () => {
    registerSecret('stream-Secret-77');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-run-stream-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const flag = path.join(dir, 'seen-first');
    // The child prints its second line only after the first line has reached onLine: buffering until exit would
    // never get there, and the run would time out.
    const child = [
      "const fs = require('node:fs');",
      "console.log('first: stream-Secret-77');",
      'const wait = () => (fs.existsSync(process.argv[1]) ? (console.error("second"), console.log("third")) : setTimeout(wait, 20));',
      'wait();',
    ].join('\n');
    const lines: string[] = [];
    const out = await run(process.execPath, ['-e', child, flag], {
      timeoutMs: 20_000,
      onLine: (line) => {
        lines.push(line);
        if (line.startsWith('first')) void writeFile(flag, '');
      },
    });
    expect(lines[0]).toBe('first: ***');
    expect(lines.slice(1).sort()).toEqual(['second', 'third']); // two pipes: their order is not guaranteed
    expect(out.stdout).toBe('first: stream-Secret-77\nthird');
    expect(out.stderr).toBe('second');
  });

  it('retries only what it is told to, a bounded number of times', async () => {
    let calls = 0;
    const failing = retry(async () => { calls++; throw new TransientError('down'); }, { attempts: 3, baseDelayMs: 1, retryOn: (e) => e instanceof TransientError });
    await expect(failing).rejects.toThrow('down');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retry(async () => { calls++; throw new InputError('bad'); }, { attempts: 3, baseDelayMs: 1, retryOn: (e) => e instanceof TransientError })).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });

  it('withRetry: a refused connection is tried REFUSED_ATTEMPTS times, other transient failures NETWORK_ATTEMPTS times', async () => {
    const log = createLogger({ write: () => undefined });
    for (const [error, expected] of [[new RefusedError('connection refused'), REFUSED_ATTEMPTS], [new TransientError('timed out'), NETWORK_ATTEMPTS]] as const) {
      let calls = 0;
      const failing = withRetry({ log }, 'example', async () => { calls++; throw error; });
      await expect(failing).rejects.toThrow(`cannot reach example after ${expected} attempts`);
      expect(calls).toBe(expected);
    }
    expect(REFUSED_ATTEMPTS).toBeLessThan(NETWORK_ATTEMPTS);
  }, 30_000);

  it('masks credentials in URLs even when not registered', () => {
    expect(mask('fatal: https://user:hunter22@host/repo.git')).toBe('fatal: https://user:***@host/repo.git');
    expect(mask('fatal: https://ghp_tokenvalue123@host/repo.git')).toBe('fatal: https://***@host/repo.git');
    // an ssh login name is no secret (results such as git-clone's url keep it); a password in any URL is
    expect(mask('ssh://git@host/x and git@host:x and git+ssh://deploy@host/y')).toBe('ssh://git@host/x and git@host:x and git+ssh://deploy@host/y');
    expect(mask('ssh://git:hunter22@host/x')).toBe('ssh://git:***@host/x');
  });
});

describe('assertWritable (steps run as a non-root user)', () => {
  // The check runs in a child process as uid 65532, as a step does, on a folder root owns: the real module bundled
  // (esbuild) into a world-readable temp folder, since the checkout may not be readable by that user.
  const probe = async (bundle: string, dir: string) =>
    (await execa('setpriv', ['--reuid=65532', '--regid=65532', '--clear-groups', process.execPath, bundle, dir])).stdout;
  it('names the workspace, the user, the owner and the fix (fsGroup) when the volume is not writable; passes and leaves nothing when it is', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'hat-ws-'));
    onTestFinished(() => rm(tmp, { recursive: true, force: true }));
    const entry = path.join(tmp, 'entry.ts');
    await writeFile(entry, `import { assertWritable } from ${JSON.stringify(path.join(import.meta.dirname, '../src/workspace-access.ts'))};\nassertWritable(process.argv[2]!, 'output').then(() => console.log('writable'), (e: Error) => console.log(e.message));\n`);
    const bundle = path.join(tmp, 'probe.mjs');
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
    const dir = path.join(tmp, 'ws');
    await mkdir(dir);
    await chmod(tmp, 0o755);
    await chmod(bundle, 0o644);
    await chmod(dir, 0o755);
    expect(await probe(bundle, dir)).toBe(`workspace output (${dir}) is not writable by this step's user (uid 65532 gid 65532): the volume belongs to uid 0 gid 0 with mode 755. Set the PipelineRun's podTemplate securityContext fsGroup (e.g. fsGroup: 65532) so its volumes are group-writable; HAT's pipeline chart does (pipelineRun.fsGroup), hand-written PipelineRuns must too`);
    await chmod(dir, 0o1777);
    expect(await probe(bundle, dir)).toBe('writable');
    expect(await readdir(dir)).toEqual([]);
  });
});
