import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '@hat/task-runtime';

const inside = (root: string, p: string): boolean => p === root || p.startsWith(`${root}${path.sep}`);

/** A path of the source workspace, symlinks resolved; anything that leaves the workspace is bad input. */
async function resolveInside(root: string, from: string, rel: string, what: string): Promise<string | undefined> {
  const joined = path.resolve(from, rel);
  if (!inside(root, joined)) throw new InputError(`${what} ${JSON.stringify(rel)} is outside the source workspace`);
  const real = await realpath(joined).catch(() => undefined);
  if (real !== undefined && !inside(root, real)) throw new InputError(`${what} ${JSON.stringify(rel)} leads outside the source workspace (symlink)`);
  return real;
}

export interface BuildPaths {
  readonly contextDir: string;
  readonly containerfile: string;
  /** As the user would name it: relative to the source workspace. */
  readonly shown: string;
}

/** The context folder and the Containerfile (given, or Containerfile then Dockerfile in the context). */
export async function buildPaths(sourceDir: string, context: string, dockerfile: string | undefined): Promise<BuildPaths> {
  const root = await realpath(sourceDir);
  const contextDir = await resolveInside(root, root, context, 'context');
  if (!contextDir || !(await stat(contextDir)).isDirectory()) throw new InputError(`context ${JSON.stringify(context)} is not a folder in the source workspace`);
  const candidates = dockerfile ? [dockerfile] : ['Containerfile', 'Dockerfile'];
  for (const candidate of candidates) {
    const file = await resolveInside(root, contextDir, candidate, 'dockerfile');
    if (file && (await stat(file)).isFile()) return { contextDir, containerfile: file, shown: path.relative(root, file) };
  }
  const where = path.relative(root, contextDir) || '.';
  throw new InputError(
    dockerfile
      ? `dockerfile ${JSON.stringify(dockerfile)} not found in context ${JSON.stringify(where)} of the source workspace`
      : `no Containerfile or Dockerfile in context ${JSON.stringify(where)} of the source workspace (set the dockerfile param)`,
  );
}
