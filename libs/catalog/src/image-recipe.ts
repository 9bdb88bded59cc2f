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

const baseRecipe = (image: string, dockerfile: string, dockerfileDigest: string): ImageRecipe =>
  ({ kind: 'base', dockerfile, dockerfileDigest, base: image, from: image, baseDigest: digestOfImage(image) });
const ownRecipe = (program: string, dockerfile: string, dockerfileDigest: string): ImageRecipe =>
  ({ kind: 'own', dockerfile, dockerfileDigest, base: undefined, from: `tasks/${program}/Dockerfile@${dockerfileDigest}`, baseDigest: 'none' });

export async function imageRecipes(programs: Iterable<string>, opts: RecipeOptions): Promise<Map<string, ImageRecipe>> {
  digestOfImage(opts.base);
  for (const image of Object.values(opts.baseFor ?? {})) digestOfImage(image);
  const taskDockerfile = opts.taskDockerfile ?? DEFAULT_TASK_DOCKERFILE;
  const taskDockerfileDigest = sha256(await readFile(taskDockerfile));
  const recipes = new Map<string, ImageRecipe>();
  for (const program of programs) {
    const base = opts.baseFor?.[program];
    const own = base ? undefined : await (opts.ownDockerfile ?? defaultOwnDockerfile)(program);
    recipes.set(program, own ? ownRecipe(program, own, sha256(await readFile(own))) : baseRecipe(base ?? opts.base, taskDockerfile, taskDockerfileDigest));
  }
  return recipes;
}

const OWN_FROM = /^tasks\/([^/]+)\/Dockerfile@sha256:[0-9a-f]{64}$/;

/**
 * The recipe a published version was built with, read from its `hat.dev/base-image`, over the current files:
 * Dockerfile.task on the recorded base, or the program's own Dockerfile as it is now (its digest is in the source
 * digest, so a changed one shows there). undefined: the version was built from an own Dockerfile the program no
 * longer has.
 */
export async function recordedRecipe(program: string, recorded: string, opts: Omit<RecipeOptions, 'base' | 'baseFor'>): Promise<ImageRecipe | undefined> {
  const own = OWN_FROM.exec(recorded);
  if (own) {
    const file = own[1] === program ? await (opts.ownDockerfile ?? defaultOwnDockerfile)(program) : undefined;
    return file ? ownRecipe(program, file, sha256(await readFile(file))) : undefined;
  }
  const taskDockerfile = opts.taskDockerfile ?? DEFAULT_TASK_DOCKERFILE;
  return baseRecipe(recorded, taskDockerfile, sha256(await readFile(taskDockerfile)));
}
