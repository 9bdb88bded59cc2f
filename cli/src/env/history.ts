// Reads what runs where, and how it got there, from the env repos alone: the deploy commits' trailers.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { authEnv, git, type GitAuth } from '@hat/git';

export interface DeployRecord {
  readonly env: string;
  readonly app: string;
  readonly version: string;
  readonly previousVersion: string | undefined;
  readonly commit: string;
  /** Commit time, seconds since the epoch. */
  readonly time: number;
  readonly source: string | undefined;
  readonly sourceCommit: string | undefined;
  readonly pipelineRun: string | undefined;
  readonly rollback: boolean;
  readonly subject: string;
}

const FIELD = '\x1f';
const RECORD = '\x1e';

/** Parses `git log` output of `%H␟%ct␟%s␟%(trailers:only,unfold)␞`. */
export function parseDeployLog(env: string, text: string): DeployRecord[] {
  const records: DeployRecord[] = [];
  for (const chunk of text.split(RECORD)) {
    const [hash, time, subject, trailerText] = chunk.trim().split(FIELD);
    if (!hash || !trailerText) continue;
    const trailers = new Map<string, string>();
    for (const line of trailerText.split('\n')) {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line.trim());
      if (m && !trailers.has(m[1]!)) trailers.set(m[1]!, m[2]!);
    }
    const app = trailers.get('Hat-App');
    const version = trailers.get('Hat-Version');
    if (!app || !version) continue;
    records.push({
      env,
      app,
      version,
      previousVersion: trailers.get('Hat-Previous-Version'),
      commit: hash,
      time: Number(time),
      source: trailers.get('Hat-Source'),
      sourceCommit: trailers.get('Hat-Source-Commit'),
      pipelineRun: trailers.get('Hat-PipelineRun'),
      rollback: trailers.get('Hat-Rollback') === 'true',
      subject: subject ?? '',
    });
  }
  return records;
}

/** Every HAT commit of one env repo, newest first; fetches commits only (no trees, no blobs). */
export async function readDeployHistory(env: string, url: string, branch: string, auth: GitAuth): Promise<DeployRecord[]> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'hat-history-'));
  try {
    const gitEnv = await authEnv(auth, url, undefined);
    const dir = path.join(work, 'repo.git');
    const what = `read of the ${env} repo ${url}`;
    await git(['clone', '--quiet', '--bare', '--filter=tree:0', '--single-branch', '--branch', branch, '--', url, dir], { env: gitEnv, what });
    const { stdout } = await git(['log', `--format=%H${FIELD}%ct${FIELD}%s${FIELD}%(trailers:only,unfold)${RECORD}`, branch], { cwd: dir, env: gitEnv, what });
    return parseDeployLog(env, stdout);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The newest record per app of each env. */
export function currentVersions(records: readonly DeployRecord[]): Map<string, Map<string, DeployRecord>> {
  const byApp = new Map<string, Map<string, DeployRecord>>();
  for (const r of records) {
    const envs = byApp.get(r.app) ?? new Map<string, DeployRecord>();
    const seen = envs.get(r.env);
    if (!seen || r.time > seen.time) envs.set(r.env, r);
    byApp.set(r.app, envs);
  }
  return byApp;
}
