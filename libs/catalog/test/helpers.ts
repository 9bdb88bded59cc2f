// Test helpers for hat catalog: a stand-in base image (FROM scratch, one file, linux/amd64 + linux/arm64) pushed
// to a real registry, fake programs and Task definitions, and a temp git repository holding a catalog.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import * as z from 'zod';
import { defineTask, type TaskDefinition } from '@hat/task-spec';

export interface RegistryLike {
  readonly host: string;
}

const buildah = (root: string, args: readonly string[]) =>
  execa('buildah', ['--storage-driver', 'vfs', '--root', path.join(root, 'root'), '--runroot', path.join(root, 'runroot'), ...args]);

/**
 * Builds a tiny multi-platform base image (FROM scratch plus one file) and pushes it as `<host>/<repository>:latest`;
 * returns `<host>/<repository>@sha256:…`. It stands in for Dockerfile.base, which cannot be built here.
 */
export async function pushStandInBase(registry: RegistryLike, authFile: string, repository = 'hat/stand-in-base'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-stand-in-base-'));
  try {
    await mkdir(path.join(dir, 'context'));
    await writeFile(path.join(dir, 'context', 'stand-in'), 'HAT stand-in base: FROM scratch, no node. Dockerfile.base is the real base.\n');
    await writeFile(path.join(dir, 'context', 'Containerfile'), 'FROM scratch\nCOPY stand-in /etc/hat-stand-in-base\n');
    const platforms = ['linux/amd64', 'linux/arm64'];
    for (const p of platforms) {
      await buildah(dir, ['build', '--isolation', 'chroot', '--timestamp', '0', '--platform', p, '--tag', `localhost/stand-in:${p.replace('/', '-')}`, path.join(dir, 'context')]);
    }
    await buildah(dir, ['manifest', 'create', 'localhost/stand-in:index']);
    for (const p of platforms) await buildah(dir, ['manifest', 'add', 'localhost/stand-in:index', `containers-storage:localhost/stand-in:${p.replace('/', '-')}`]);
    const digestFile = path.join(dir, 'digest');
    await buildah(dir, ['manifest', 'push', '--all', '--format', 'oci', '--tls-verify=false', '--authfile', authFile, '--digestfile', digestFile, 'localhost/stand-in:index', `docker://${registry.host}/${repository}:latest`]);
    return `${registry.host}/${repository}@${(await readFile(digestFile, 'utf8')).trim()}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes a fake program bundle per program name into dir; returns programFile() for publishCatalog. */
export async function fakePrograms(dir: string, programs: Record<string, string>): Promise<(program: string) => Promise<string>> {
  for (const [program, code] of Object.entries(programs)) {
    await mkdir(path.join(dir, program), { recursive: true });
    await writeFile(path.join(dir, program, 'task.mjs'), code);
  }
  return async (program) => {
    if (!(program in programs)) throw new Error(`no fake program ${program}`);
    return path.join(dir, program, 'task.mjs');
  };
}

const results = { greeting: { description: 'The greeting it printed.' } } as const;

/** Two programs: alpha (Tasks alpha-one and alpha-two share its image) and beta. Options change one contract. */
export function fakeDefinitions(opts: { betaWithoutLoud?: boolean; alphaOneWithColour?: boolean } = {}): TaskDefinition[] {
  const alpha = (name: string, extra: boolean) =>
    defineTask({
      name,
      program: 'alpha',
      displayName: `Alpha ${name}`,
      description: `Says hello (${name}).`,
      categories: ['Developer Tools'],
      tags: ['test'],
      params: z.object({
        who: z.string().describe('Whom to greet.'),
        ...(extra ? { colour: z.string().default('blue').describe('Colour of the greeting.') } : {}),
      }),
      results,
      workspaces: [{ name: 'output', description: 'Where the greeting goes.', optional: true }],
    });
  const beta = defineTask({
    name: 'beta',
    displayName: 'Beta',
    description: 'Says hello, maybe loudly.',
    categories: ['Testing'],
    tags: ['test'],
    params: z.object({
      who: z.string().describe('Whom to greet.'),
      ...(opts.betaWithoutLoud ? {} : { loud: z.stringbool().default(false).describe('Shout.') }),
    }),
    results,
    mounts: [{ name: 'settings', kind: 'configMap', objectName: 'beta-settings', description: 'greeting: the word to use' }],
  });
  return [alpha('alpha-one', Boolean(opts.alphaOneWithColour)), alpha('alpha-two', false), beta];
}

/** Every file under dir (relative path → bytes), to show what a run changed. */
export async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) files.set(path.relative(dir, path.join(e.parentPath, e.name)), await readFile(path.join(e.parentPath, e.name)));
  }
  return files;
}

/** A git repository with the given catalog committed as catalog/; returns the repo dir. */
export async function gitRepoWithCatalog(catalog: string): Promise<string> {
  const repo = await mkdtemp(path.join(os.tmpdir(), 'hat-catalog-git-'));
  const git = (...args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo });
  await git('init', '-q', '-b', 'main');
  await cp(catalog, path.join(repo, 'catalog'), { recursive: true });
  await git('add', '-A');
  await git('commit', '-q', '-m', 'publish');
  return repo;
}

export const gitIn = (repo: string) => (...args: string[]) =>
  execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo });
