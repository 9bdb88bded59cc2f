// Commits files straight into a bare repo with one `git fast-import`: no clone, no push, ~10 ms.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface SeedOptions {
  /** Defaults to the branch HEAD points at. */
  branch?: string;
  author?: { name: string; email: string };
}

/** File contents by path; null deletes the path. */
export type SeedFiles = Record<string, string | null>;

/** Commits files on top of the branch (created if missing); returns the new commit id. */
export async function seedBareRepo(gitDir: string, files: SeedFiles, message: string, options: SeedOptions = {}): Promise<string> {
  const ref = `refs/heads/${options.branch ?? (await headBranch(gitDir))}`;
  const parent = await execa('git', ['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { reject: false });
  const who = options.author ?? { name: 'HAT Test', email: 'test@hat.invalid' };
  const stamp = `${Math.floor(Date.now() / 1000)} +0000`;
  const chunks: Buffer[] = [];
  const line = (text: string): void => {
    chunks.push(Buffer.from(`${text}\n`));
  };
  const data = (text: string): void => {
    const bytes = Buffer.from(text);
    line(`data ${bytes.length}`);
    chunks.push(bytes, Buffer.from('\n'));
  };
  line(`commit ${ref}`);
  line(`author ${who.name} <${who.email}> ${stamp}`);
  line(`committer ${who.name} <${who.email}> ${stamp}`);
  data(message);
  if (parent.exitCode === 0) line(`from ${parent.stdout.trim()}`);
  for (const [file, content] of Object.entries(files)) {
    if (/[\n"]/.test(file) || file.startsWith('/') || file.split('/').includes('..')) throw new Error(`bad path ${file}`);
    if (content === null) {
      line(`D ${file}`);
    } else {
      line(`M 100644 inline ${file}`);
      data(content);
    }
  }
  line('done');
  await execa('git', ['--git-dir', gitDir, 'fast-import', '--quiet', '--done'], { input: Buffer.concat(chunks) });
  return (await execa('git', ['--git-dir', gitDir, 'rev-parse', ref])).stdout.trim();
}

async function headBranch(gitDir: string): Promise<string> {
  const head = (await readFile(path.join(gitDir, 'HEAD'), 'utf8')).trim();
  const match = /^ref: refs\/heads\/(.+)$/.exec(head);
  if (match?.[1] === undefined) throw new Error(`${gitDir}: HEAD is not a branch (${head})`);
  return match[1];
}
