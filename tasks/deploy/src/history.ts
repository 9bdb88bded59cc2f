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
  /** With an allowed-signers file: whether the commit's signature verifies against it. */
  readonly signature?: Signature;
}

export type SignatureStatus = 'good' | 'not trusted' | 'bad' | 'unsigned' | 'expired' | 'cannot check';

export interface Signature {
  readonly status: SignatureStatus;
  /** The principal the allowed-signers file gives the key (good signatures). */
  readonly signer?: string;
  /** The signing key's fingerprint (SHA256:…). */
  readonly key?: string;
}

/** git's %G? letter as HAT says it: G good; U a valid signature by a key the file does not allow; N none. */
export function signatureOf(letter: string, signer: string, key: string): Signature {
  const status: SignatureStatus = ({ G: 'good', U: 'not trusted', B: 'bad', N: 'unsigned', X: 'expired', Y: 'expired', R: 'not trusted', E: 'cannot check' } as const)[letter as 'G'] ?? 'cannot check';
  return { status, ...(signer && status === 'good' ? { signer } : {}), ...(key ? { key } : {}) };
}

/** A signature in one table cell: `good (hat-deploy)`, `NOT TRUSTED (SHA256:…)`, `unsigned`. */
export function formatSignature(sig: Signature | undefined): string {
  if (!sig) return '-';
  if (sig.status === 'good') return `good (${sig.signer ?? sig.key ?? '?'})`;
  if (sig.status === 'unsigned') return 'unsigned';
  return `${sig.status.toUpperCase()}${sig.key ? ` (${sig.key})` : ''}`;
}

const FIELD = '\x1f';
const RECORD = '\x1e';

/** Parses `git log` output of `%H␟%ct␟%s␟%(trailers:only,unfold)[␟%G?␟%GS␟%GF]␞`. */
export function parseDeployLog(env: string, text: string): DeployRecord[] {
  const records: DeployRecord[] = [];
  for (const chunk of text.split(RECORD)) {
    const [hash, time, subject, trailerText, letter, signer, key] = chunk.trim().split(FIELD);
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
      ...(letter !== undefined ? { signature: signatureOf(letter.trim(), signer ?? '', key ?? '') } : {}),
    });
  }
  return records;
}

/**
 * Every HAT commit of one env repo, newest first; fetches commits only (no trees, no blobs). With `allowedSigners`
 * (git's gpg.ssh.allowedSignersFile format), each record says whether its signature verifies against that file.
 */
export async function readDeployHistory(env: string, url: string, branch: string, auth: GitAuth, allowedSigners?: string): Promise<DeployRecord[]> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'hat-history-'));
  try {
    const gitEnv = await authEnv(auth, url, undefined);
    const dir = path.join(work, 'repo.git');
    const what = `read of the ${env} repo ${url}`;
    await git(['clone', '--quiet', '--bare', '--filter=tree:0', '--single-branch', '--branch', branch, '--', url, dir], { env: gitEnv, what });
    const verify = allowedSigners ? ['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${path.resolve(allowedSigners)}`] : [];
    const signature = allowedSigners ? `${FIELD}%G?${FIELD}%GS${FIELD}%GF` : '';
    const { stdout } = await git([...verify, 'log', `--format=%H${FIELD}%ct${FIELD}%s${FIELD}%(trailers:only,unfold)${signature}${RECORD}`, branch], { cwd: dir, env: gitEnv, what });
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
