import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runPipelineLocally, type PipelineEvent } from '@hat/task-runner';

/** An inline task whose only step is a shell script run on the host (as the local runner does for non-HAT images). */
const shTask = (script: string, results: string[] = [], params: string[] = []) => ({
  params: params.map((name) => ({ name, type: 'string' })),
  results: results.map((name) => ({ name, type: 'string' })),
  workspaces: [{ name: 'ws', optional: true }],
  steps: [{ name: 'run', image: 'docker.io/library/busybox@sha256:' + '0'.repeat(64), env: params.map((p) => ({ name: p.toUpperCase(), value: `$(params.${p})` })), script }],
});

const pipeline = {
  metadata: { name: 'p' },
  spec: {
    params: [{ name: 'target-env' }, { name: 'who', default: 'world' }],
    workspaces: [{ name: 'shared' }],
    tasks: [
      { name: 'greet', params: [{ name: 'who', value: '$(params.who)' }], workspaces: [{ name: 'ws', workspace: 'shared' }], taskSpec: shTask('printf "hello %s" "$WHO" > $(results.greeting.path); echo x > $(workspaces.ws.path)/mark', ['greeting'], ['who']) },
      { name: 'echo', params: [{ name: 'text', value: '$(tasks.greet.results.greeting) from $(context.pipelineRun.name)' }], taskSpec: shTask('printf "%s" "$TEXT" > $(results.out.path)', ['out'], ['text']) },
      { name: 'deploy-test', runAfter: ['echo'], when: [{ input: '$(params.target-env)', operator: 'in', values: ['test'] }], taskSpec: shTask('printf done > $(results.r.path)', ['r']) },
      { name: 'deploy-prod', runAfter: ['echo'], when: [{ input: '$(params.target-env)', operator: 'in', values: ['prod'] }], taskSpec: shTask('printf done > $(results.r.path)', ['r']) },
      { name: 'after-prod', params: [{ name: 'x', value: '$(tasks.deploy-prod.results.r)' }], taskSpec: shTask('true', [], ['x']) },
    ],
  },
};

async function dir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'hat-pl-'));
  onTestFinished(() => rm(d, { recursive: true, force: true }));
  return d;
}

describe('runPipelineLocally', () => {
  it('passes results between tasks, follows when-expressions and skips what reads a skipped task', async () => {
    const shared = await dir();
    const events: PipelineEvent[] = [];
    const r = await runPipelineLocally({
      pipeline,
      params: { 'target-env': 'test' },
      workspaces: { shared },
      resolveTask: async () => { throw new Error('no refs here'); },
      hostCommands: true,
      pipelineRunName: 'run-1',
      onEvent: (e) => events.push(e),
    });
    // As real Tekton reports it (seen in npm run e2e): Completed, since deploy-prod and after-prod were skipped.
    expect(r.status).toBe('Completed');
    const by = Object.fromEntries(r.tasks.map((t) => [t.name, t]));
    expect(by['echo']!.results['out']).toBe('hello world from run-1');
    expect(by['deploy-test']!.status).toBe('Succeeded');
    expect(by['deploy-prod']!.status).toBe('Skipped');
    expect(by['after-prod']!.status).toBe('Skipped');
    expect(by['after-prod']!.reason).toMatch(/reads results of deploy-prod/);
    expect(await readFile(path.join(shared, 'mark'), 'utf8')).toBe('x\n');
    expect(events.filter((e) => e.type === 'start').map((e) => e.task)).toEqual(['greet', 'echo', 'deploy-test']);
  });

  it('stops at the first failure and reports its error line', async () => {
    const failing = structuredClone(pipeline);
    failing.spec.tasks[1]!.taskSpec = shTask('echo "error: something broke" >&2; exit 3', ['out'], ['text']);
    const r = await runPipelineLocally({ pipeline: failing, params: { 'target-env': 'test' }, workspaces: { shared: await dir() }, resolveTask: async () => ({}), hostCommands: true });
    expect(r.status).toBe('Failed');
    expect(r.failure).toEqual({ task: 'echo', errorLine: 'error: something broke' });
    expect(r.tasks.map((t) => t.name)).toEqual(['greet', 'echo']);
  });

  it('refuses unknown pipeline params and missing required ones', async () => {
    const base = { pipeline, workspaces: {}, resolveTask: async () => ({}) };
    await expect(runPipelineLocally({ ...base, params: {} })).rejects.toThrow(/needs param target-env/);
    await expect(runPipelineLocally({ ...base, params: { 'target-env': 'x', nope: '1' } })).rejects.toThrow(/has no param nope/);
  });
});
