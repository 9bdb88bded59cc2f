// hat catalog verify --rebuild: rebuilds the image of every published version as publish built it (same recipe,
// same base digest, the current program bundle) and compares its digest with the one the Task pins. Only versions
// whose source digest still matches the current source can be rebuilt; the others are skipped, not failed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BASE_VARIANTS } from '@hat/image';
import type { TaskDefinition } from '@hat/task-spec';
import { ensureBundle } from '@hat/task-runner';
import { createLogger, type Logger } from '@hat/task-runtime';
import { parseImageRef } from '@hat/oci';
import { hatBases, hatBaseVariantOf } from './hat-bases.ts';
import { buildAndPushImage, withBuildahStorage } from './image-build.ts';
import { digestOfImage, recordedRecipe, type ImageRecipe } from './image-recipe.ts';
import { catalogTaskNames, HAT_ANNOTATIONS, publishedVersions, rebuildRepository, taskFilePath } from './layout.ts';
import { planTask } from './plan.ts';
import { programDigest as programDigestOf } from './program.ts';
import { platformsOf } from './publish.ts';
import { parseRegistryPrefix, registrySessions, resolveAuthFile } from './registry-target.ts';
import { sourceDigest } from './source-digest.ts';
import { parseTaskYaml, taskFacts } from './task-file.ts';

export interface RebuildOptions {
  /** The Tasks as they are now (the CLI passes the task registry; tests pass their own). */
  readonly definitions: readonly TaskDefinition[];
  readonly catalog: string;
  /** HOST[/PATH] the rebuilt images are pushed to (<registry>/hat-rebuild/<program>:<version>), for their digests. */
  readonly registry: string;
  /** Where to pull the recorded base from: IMAGE@sha256:…, the recorded digest under another name. */
  readonly base?: string | undefined;
  /** The same per program. */
  readonly baseFor?: Readonly<Record<string, string>> | undefined;
  readonly plainHttp?: boolean;
  readonly authFile?: string | undefined;
  readonly buildahRoot?: string | undefined;
  /** Rebuild HAT's bases from scratch (debootstrap and all) in a temp dir, not from the per-user cache. */
  readonly freshBase?: boolean;
  readonly programFile?: (program: string) => Promise<string>;
  /** Dockerfile.task (default: the repository's). */
  readonly dockerfile?: string;
  readonly ownDockerfile?: (program: string) => Promise<string | undefined>;
  readonly log?: Logger;
  readonly display?: (file: string) => string;
}

export type RebuildStatus = 'ok' | 'skipped' | 'mismatch' | 'failed';

export interface RebuiltVersion {
  readonly task: string;
  readonly version: string;
  readonly file: string;
  readonly status: RebuildStatus;
  /** `ok sha256:…`, `skipped: …`, `MISMATCH …`, `FAILED: …` */
  readonly message: string;
}

export interface RebuildResult {
  /** No mismatch and no failure (skipped versions are fine). */
  readonly ok: boolean;
  readonly versions: readonly RebuiltVersion[];
  /** Images built: one per program, base and platforms, shared by every version that pins it. */
  readonly builds: number;
}

/** A version that can be rebuilt. */
interface Rebuild {
  readonly at: number;
  readonly program: string;
  readonly recipe: ImageRecipe;
  readonly baseSource: string | undefined;
  readonly platforms: readonly string[];
  readonly pinned: string;
}

const PINNED = /^[^@\s]+:[^@/\s]+@(sha256:[0-9a-f]{64})$/;

export const formatRebuilt = (v: RebuiltVersion): string => `${v.task} ${v.version}: ${v.message}`;

export function rebuildSummary(r: RebuildResult): string {
  const count = (s: RebuildStatus): number => r.versions.filter((v) => v.status === s).length;
  return `rebuild: ${count('ok')} ok, ${count('skipped')} skipped, ${count('mismatch')} mismatch(es), ${count('failed')} failed (${r.builds} image(s) built)`;
}

const memo = <T>(fn: (key: string) => Promise<T>): ((key: string) => Promise<T>) => {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, fn(key));
    return cache.get(key)!;
  };
};

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

export async function rebuildCatalog(opts: RebuildOptions): Promise<RebuildResult> {
  const log = opts.log ?? createLogger();
  const show = opts.display ?? ((file: string) => path.relative(process.cwd(), file) || '.');
  const push = parseRegistryPrefix(opts.registry, '--registry');
  for (const image of [opts.base, ...Object.values(opts.baseFor ?? {})]) {
    if (image === undefined) continue;
    parseImageRef(image);
    digestOfImage(image);
  }
  const defs = new Map(opts.definitions.map((d) => [d.name, d]));
  const recipeOpts = { taskDockerfile: opts.dockerfile, ownDockerfile: opts.ownDockerfile };
  const programFile = memo(opts.programFile ?? ensureBundle);
  const programDigest = memo(async (program) => programDigestOf(await programFile(program)));

  /** What the next publish does with a Task whose source changed, assuming the base of its last version. */
  const nextOf = memo(async (task) => {
    const def = defs.get(task)!;
    const latest = (await publishedVersions(opts.catalog, task)).at(-1)!;
    const file = taskFilePath(opts.catalog, task, latest);
    const facts = taskFacts(parseTaskYaml(await readFile(file, 'utf8'), file));
    const recipe = await recordedRecipe(def.program, facts.annotations[HAT_ANNOTATIONS.baseImage] ?? '', recipeOpts).catch(() => undefined);
    if (!recipe) return 'the next publish makes a new version';
    const plan = await planTask(def, { definitions: [def], catalog: opts.catalog, recipes: new Map([[def.program, recipe]]), programFile });
    return plan.change ? `the next publish makes ${plan.change.version}` : `the current source is published as ${latest}`;
  });

  const tlsVerify = !opts.plainHttp;
  const authFile = await resolveAuthFile(opts.authFile);
  // A version built on one of HAT's bases, with no --base given for it: rebuild that base from the recipe too.
  const freshDir = opts.freshBase ? await mkdtemp(path.join(os.tmpdir(), 'hat-fresh-base-')) : undefined;
  const hatBase = memo(async (variant) => {
    try {
      const built = await hatBases([BASE_VARIANTS[variant as 'node' | 'buildah']], { recordPrefix: push.prefix, pushPrefix: push.prefix, pushPath: 'hat-rebuild', tlsVerify, authFile, log, cacheDir: freshDir });
      const base = [...built.values()][0]!;
      return { digest: base.digest, source: base.source! };
    } catch (err) {
      return { error: firstLine(err) };
    }
  });

  const versions: RebuiltVersion[] = [];
  const rebuilds: Rebuild[] = [];
  for (const task of await catalogTaskNames(opts.catalog)) {
    for (const version of await publishedVersions(opts.catalog, task)) {
      const file = taskFilePath(opts.catalog, task, version);
      const done = (status: RebuildStatus, message: string): void => void versions.push({ task, version, file, status, message });
      const fail = (why: string): void => done('failed', `FAILED: ${show(file)}: ${why}`);
      const def = defs.get(task);
      if (!def) {
        done('skipped', `skipped: no Task ${task} in the task registry (nothing to rebuild from)`);
        continue;
      }
      let facts;
      try {
        facts = taskFacts(parseTaskYaml(await readFile(file, 'utf8'), show(file)));
      } catch (err) {
        fail(`cannot read it: ${firstLine(err)}`);
        continue;
      }
      const recorded = facts.annotations[HAT_ANNOTATIONS.sourceDigest];
      const from = facts.annotations[HAT_ANNOTATIONS.baseImage];
      if (!recorded || !from) {
        fail(`annotations ${HAT_ANNOTATIONS.sourceDigest} and ${HAT_ANNOTATIONS.baseImage} are needed to rebuild`);
        continue;
      }
      const images = [...new Set(facts.images)];
      const pinned = images.length === 1 ? PINNED.exec(images[0]!)?.[1] : undefined;
      if (!pinned) {
        fail(`expected one step image pinned as repo:tag@sha256:… (got ${images.join(', ') || 'none'})`);
        continue;
      }
      let recipe: ImageRecipe | undefined;
      try {
        recipe = await recordedRecipe(def.program, from, recipeOpts);
      } catch (err) {
        fail(`${HAT_ANNOTATIONS.baseImage} ${JSON.stringify(from)}: ${firstLine(err)}`);
        continue;
      }
      const current = recipe && sourceDigest({ def, programDigest: await programDigest(def.program), baseDigest: recipe.baseDigest, dockerfileDigest: recipe.dockerfileDigest });
      if (!recipe || current !== recorded) {
        done('skipped', `skipped: source changed since it was published (${await nextOf(task)})`);
        continue;
      }
      const flag = opts.baseFor?.[def.program] !== undefined ? `--base-for ${def.program}=` : '--base ';
      let given = opts.baseFor?.[def.program] ?? (recipe.kind === 'base' ? opts.base : undefined);
      const variant = given === undefined && recipe.kind === 'base' ? hatBaseVariantOf(from) : undefined;
      if (variant) {
        const base = await hatBase(variant.name);
        if ('error' in base) {
          fail(`rebuilding HAT's ${variant.name} base failed: ${base.error}`);
          continue;
        }
        if (base.digest !== recipe.baseDigest) {
          done('mismatch', `MISMATCH ${show(file)}: its base ${from} rebuilds to ${base.digest}`);
          continue;
        }
        given = base.source;
      }
      if (given !== undefined && recipe.kind === 'own') {
        fail(`built from ${from} (its own Dockerfile), not on a base image: ${flag.trim()} does not apply`);
        continue;
      }
      if (given !== undefined && digestOfImage(given) !== recipe.baseDigest) {
        fail(`built on ${from} (${HAT_ANNOTATIONS.baseImage}); ${flag}${given} is another image (the base must have the recorded digest)`);
        continue;
      }
      rebuilds.push({ at: versions.length, program: def.program, recipe, baseSource: given, platforms: platformsOf(def), pinned });
      done('ok', 'not rebuilt yet');
    }
  }

  // Versions pinning the same image were built together: their image serves all their platforms.
  const platformsOfImage = new Map<string, Set<string>>();
  for (const r of rebuilds) {
    const key = `${r.program} ${r.pinned}`;
    platformsOfImage.set(key, new Set([...(platformsOfImage.get(key) ?? []), ...r.platforms]));
  }
  const sessions = registrySessions(authFile, tlsVerify);
  const built = new Map<string, Promise<{ digest: string } | { error: string }>>();
  if (rebuilds.length > 0) {
    await withBuildahStorage(opts.buildahRoot, async (storage) => {
      for (const r of rebuilds) {
        const v = versions[r.at]!;
        const platforms = [...platformsOfImage.get(`${r.program} ${r.pinned}`)!].sort();
        const key = [r.program, r.recipe.from, r.baseSource ?? '', platforms.join(',')].join(' ');
        let build = built.get(key);
        if (!build) {
          const image = { program: r.program, programFile: await programFile(r.program), recipe: r.recipe, baseSource: r.baseSource, platforms, storage, tlsVerify, authFile, log, session: sessions };
          build = buildAndPushImage(image, [`${rebuildRepository(push.prefix, r.program)}:${v.version}`]).then(
            (digest) => ({ digest }),
            (err: unknown) => ({ error: firstLine(err) }),
          );
          built.set(key, build);
        }
        const outcome = await build;
        versions[r.at] =
          'error' in outcome
            ? { ...v, status: 'failed', message: `FAILED: ${show(v.file)}: rebuild failed: ${outcome.error}` }
            : outcome.digest === r.pinned
              ? { ...v, status: 'ok', message: `ok ${outcome.digest}` }
              : { ...v, status: 'mismatch', message: `MISMATCH ${show(v.file)}: the image pins ${r.pinned}, the rebuild gives ${outcome.digest}` };
      }
    });
  }
  if (freshDir) await rm(freshDir, { recursive: true, force: true });
  return { ok: versions.every((v) => v.status === 'ok' || v.status === 'skipped'), versions, builds: built.size };
}
