// How a program's image is made: Dockerfile.task over a pinned base (every program by default), or the program's
// own tasks/<program>/Dockerfile (a whole image, e.g. build-image, whose base needs buildah).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '@hat/task-runner';
import { InputError } from '@hat/task-runtime';
import { sha256 } from './source-digest.ts';

export interface ImageRecipe {
  /** 'base': Dockerfile.task FROM `base`; 'own': the program's own Dockerfile. */
  readonly kind: 'base' | 'own';
  /** Path of the Dockerfile to build. */
  readonly dockerfile: string;
  readonly dockerfileDigest: string;
  /** The pinned base (kind 'base'). */
  readonly base: string | undefined;
  /** What the image is built from, recorded as hat.dev/base-image: the base, or `tasks/<p>/Dockerfile@sha256:…`. */
  readonly from: string;
  /** The base's digest, for the source digest ('none' for an own Dockerfile: its FROM lines are in its bytes). */
  readonly baseDigest: string;
}

export interface RecipeOptions {
  /** Base of every program without its own Dockerfile, pinned: IMAGE@sha256:… */
  readonly base: string;
  /** Programs built with Dockerfile.task on another base, even when they have their own Dockerfile. */
  readonly baseFor?: Readonly<Record<string, string>> | undefined;
  /** Dockerfile.task */
  readonly taskDockerfile?: string | undefined;
  /** A program's own Dockerfile, if it has one (default: tasks/<program>/Dockerfile). */
  readonly ownDockerfile?: ((program: string) => Promise<string | undefined>) | undefined;
}

export const DEFAULT_TASK_DOCKERFILE = path.join(repoRoot, 'Dockerfile.task');

export function digestOfImage(image: string): string {
  const at = image.lastIndexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : '';
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new InputError(`base image ${JSON.stringify(image)} must be pinned by digest (IMAGE@sha256:…)`);
  return digest;
}

const defaultOwnDockerfile = async (program: string): Promise<string | undefined> => {
  const file = path.join(repoRoot, 'tasks', program, 'Dockerfile');
  return (await readFile(file).then(() => true, () => false)) ? file : undefined;
};

export async function imageRecipes(programs: Iterable<string>, opts: RecipeOptions): Promise<Map<string, ImageRecipe>> {
  digestOfImage(opts.base);
  for (const image of Object.values(opts.baseFor ?? {})) digestOfImage(image);
  const taskDockerfile = opts.taskDockerfile ?? DEFAULT_TASK_DOCKERFILE;
  const taskDockerfileDigest = sha256(await readFile(taskDockerfile));
  const recipes = new Map<string, ImageRecipe>();
  for (const program of programs) {
    const base = opts.baseFor?.[program];
    const own = base ? undefined : await (opts.ownDockerfile ?? defaultOwnDockerfile)(program);
    if (own) {
      const digest = sha256(await readFile(own));
      recipes.set(program, { kind: 'own', dockerfile: own, dockerfileDigest: digest, base: undefined, from: `tasks/${program}/Dockerfile@${digest}`, baseDigest: 'none' });
    } else {
      const image = base ?? opts.base;
      recipes.set(program, { kind: 'base', dockerfile: taskDockerfile, dockerfileDigest: taskDockerfileDigest, base: image, from: image, baseDigest: digestOfImage(image) });
    }
  }
  return recipes;
}
