// Published versions are immutable: every file under catalog/tasks/ must still hold the bytes of the commit that
// first added it. A file no commit added yet (a new version, not committed) is fine; a removed one is not.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface GitCheck {
  /** false when the catalog is not in a git work tree (nothing could be checked). */
  readonly checked: boolean;
  readonly problems: readonly string[];
}

async function git(cwd: string, args: readonly string[]): Promise<{ ok: boolean; stdout: Buffer }> {
  const res = await execa('git', ['-c', 'core.quotePath=false', ...args], { cwd, reject: false, encoding: 'buffer', stripFinalNewline: false });
  return { ok: res.exitCode === 0, stdout: Buffer.from(res.stdout) };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Oldest commit that added each path under `rel` (paths relative to the work tree top). */
async function firstAdditions(top: string, rel: string): Promise<Map<string, string>> {
  const out = (await git(top, ['log', '--diff-filter=A', '--no-renames', '--format=%x01%H', '--name-only', '--', rel])).stdout.toString('utf8');
  const first = new Map<string, string>();
  for (const block of out.split('\x01').filter(Boolean)) {
    const [commit = '', ...names] = block.split('\n').map((l) => l.trim()).filter(Boolean);
    for (const name of names) first.set(name, commit); // log is newest first: the last write is the oldest add
  }
  return first;
}

export async function checkPublishedUnchanged(catalog: string, display: (file: string) => string): Promise<GitCheck> {
  const tasksDir = path.resolve(catalog, 'tasks');
  const topRes = await git(path.resolve(catalog), ['rev-parse', '--show-toplevel']);
  if (!topRes.ok) return { checked: false, problems: [] };
  const top = topRes.stdout.toString('utf8').trim();
  if ((await git(top, ['rev-parse', '--is-shallow-repository'])).stdout.toString('utf8').trim() === 'true') {
    return { checked: false, problems: [`${display(tasksDir)}: the git clone is shallow, so the commit that published each file is unknown; fetch the history (git fetch --unshallow)`] };
  }
  const rel = path.relative(top, tasksDir).split(path.sep).join('/');
  const added = await firstAdditions(top, rel);
  const problems: string[] = [];
  const onDisk = new Set<string>();
  for (const file of (await filesUnder(tasksDir)).sort()) {
    const name = path.relative(top, file).split(path.sep).join('/');
    onDisk.add(name);
    const commit = added.get(name);
    if (!commit) continue;
    const recorded = await git(top, ['cat-file', 'blob', `${commit}:${name}`]);
    if (!recorded.ok) continue;
    if (!recorded.stdout.equals(await readFile(file))) {
      problems.push(`${display(file)}: differs from what commit ${commit.slice(0, 12)} published; published versions are immutable (restore it with: git checkout ${commit.slice(0, 12)} -- ${name}; publish a new version instead)`);
    }
  }
  for (const [name, commit] of added) {
    if (!onDisk.has(name)) problems.push(`${display(path.join(top, name))}: published in commit ${commit.slice(0, 12)} and since removed; published versions are immutable`);
  }
  return { checked: true, problems };
}
