// `hat run`: a user's own app through the same local pipeline as the demo: its source pushed to a local git
// server, its pipeline values (with git and registry URLs pointed at the local stack), one run for one ref.
// The local registry speaks plain HTTP: the values must set registry.insecure: true for build-image and helm.
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { authEnv, git } from '@hat/git';
import { InputError, type Logger } from '@hat/task-runtime';
import { environmentRules, type EnvironmentRule } from '../env/env-rules.ts';
import { startLocalPlatform, type EnvRow, type PipelineRunSummary } from './local-platform.ts';

export interface RunAppOptions {
  readonly valuesFile: string;
  readonly source: string;
  /** The pushed ref to simulate; defaults to the source repo's current branch. */
  readonly ref?: string;
  readonly out: (line: string) => void;
  readonly verbose: boolean;
  readonly log: Logger;
  readonly catalogDir?: string;
}

interface PipelineValues {
  app?: { name?: string };
  environments?: EnvironmentRule[];
}

export async function runApp(o: RunAppOptions): Promise<{ run: PipelineRunSummary; rows: EnvRow[] }> {
  const text = await readFile(o.valuesFile, 'utf8').catch(() => {
    throw new InputError(`--values: cannot read ${o.valuesFile}`);
  });
  const values = (parse(text) ?? {}) as PipelineValues;
  const app = values.app?.name;
  if (!app) throw new InputError(`--values: ${o.valuesFile} has no app.name`);
  await access(path.join(o.source, '.git')).catch(() => {
    throw new InputError(`--source: ${o.source} is not a git work tree`);
  });
  const ref = o.ref ?? `refs/heads/${(await git(['symbolic-ref', '--short', 'HEAD'], { cwd: o.source, okExitCodes: [0, 128] })).stdout.trim()}`;
  if (ref === 'refs/heads/') throw new InputError('--ref: the source repo has a detached HEAD; give the ref to simulate, e.g. --ref refs/heads/main');
  if (!/^refs\/(heads|tags)\/.+/.test(ref)) throw new InputError(`--ref: expected refs/heads/<branch> or refs/tags/<tag>, got ${JSON.stringify(ref)}`);
  const rules = await environmentRules(values);

  const platform = await startLocalPlatform({ app, envs: rules.map((r) => r.name), out: o.out, verbose: o.verbose, log: o.log, ...(o.catalogDir ? { catalogDir: o.catalogDir } : {}) });
  try {
    const env = await authEnv({ kind: 'basic', ...platform.appCred }, platform.appRepo.url, undefined);
    // Push the source's ref (and every tag, for the version task) to the local app repo; the source repo is not changed.
    await git(['push', '--quiet', platform.appRepo.url, `${ref}:${ref}`, '+refs/tags/*:refs/tags/*'], { cwd: o.source, env, what: 'push of the source to the local git server' });
    o.out(`▶ ${o.source} (${ref}) pushed to ${platform.appRepo.url}`);
    const pipeline = await platform.renderPipeline([o.valuesFile], {
      'git.url': platform.appRepo.url,
      'image.repository': platform.imageRepository,
      'chart.repository': platform.chartRepository,
    });
    const revision = ref.replace(/^refs\/(heads|tags)\//, '');
    const run = await platform.runPipeline(pipeline, rules, ref, revision, 1);
    const rows = await platform.renderEnvs();
    return { run, rows };
  } finally {
    await platform.stop();
  }
}
