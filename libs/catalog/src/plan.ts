// Decides, per Task, whether to publish and which version: from the definition and the last published file.
import { readFile } from 'node:fs/promises';
import type { TaskDefinition } from '@hat/task-spec';
import { InputError } from '@hat/task-runtime';
import { bumpVersion, FIRST_VERSION, type Bump } from './catalog-version.ts';
import { compareContracts, contractOf } from './contract.ts';
import { digestOfImage, type ImageRecipe } from './image-recipe.ts';
import { HAT_ANNOTATIONS, publishedVersions, taskFilePath } from './layout.ts';
import { programDigest as programDigestOf } from './program.ts';
import { sourceDigest } from './source-digest.ts';
import { canonicalJson, normalizeTask, parseTaskYaml, renderedForComparison, taskFacts } from './task-file.ts';

export interface PlanInputs {
  readonly definitions: readonly TaskDefinition[];
  readonly catalog: string;
  /** How each program's image is made. */
  readonly recipes: ReadonlyMap<string, ImageRecipe>;
  /** Path of a program's bundle (built when missing or stale). */
  readonly programFile: (program: string) => Promise<string>;
}

export interface TaskChange {
  readonly version: string;
  readonly bump: Bump | 'new';
  readonly reasons: readonly string[];
}

export interface TaskPlan {
  readonly def: TaskDefinition;
  readonly programFile: string;
  readonly programDigest: string;
  readonly recipe: ImageRecipe;
  readonly sourceDigest: string;
  readonly previous: { readonly version: string; readonly file: string } | undefined;
  /** undefined: the last published version has the same source digest; nothing to publish. */
  readonly change: TaskChange | undefined;
}

/** Paths where two JSON values differ, a few levels deep (for the reasons of a patch). */
function differingPaths(a: unknown, b: unknown, at: string, depth: number): string[] {
  if (canonicalJson(a) === canonicalJson(b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (depth === 0 || !isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return [at || '(root)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.flatMap((k) => differingPaths(a[k], b[k], Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k, depth - 1));
}

export async function planTask(def: TaskDefinition, inputs: PlanInputs): Promise<TaskPlan> {
  const programFile = await inputs.programFile(def.program);
  const programDigest = await programDigestOf(programFile);
  const recipe = inputs.recipes.get(def.program);
  if (!recipe) throw new InputError(`no image recipe for program ${def.program}`);
  const digest = sourceDigest({ def, programDigest, baseDigest: recipe.baseDigest, dockerfileDigest: recipe.dockerfileDigest });
  const versions = await publishedVersions(inputs.catalog, def.name);
  const last = versions.at(-1);
  const common = { def, programFile, programDigest, recipe, sourceDigest: digest };
  if (last === undefined) return { ...common, previous: undefined, change: { version: FIRST_VERSION, bump: 'new', reasons: ['first version'] } };
  const file = taskFilePath(inputs.catalog, def.name, last);
  const published = parseTaskYaml(await readFile(file, 'utf8'), file);
  const facts = taskFacts(published);
  const previous = { version: last, file };
  if (facts.annotations[HAT_ANNOTATIONS.sourceDigest] === digest) return { ...common, previous, change: undefined };
  const contractChange = compareContracts(contractOf(published), contractOf(renderedForComparison(def)));
  const reasons = [...contractChange.reasons];
  if (contractChange.bump === 'patch') {
    const paths = differingPaths(normalizeTask(published), renderedForComparison(def), '', 4);
    if (paths.length > 0) reasons.push(`patch: Task changed at ${paths.join(', ')}`);
    if (facts.annotations[HAT_ANNOTATIONS.programDigest] !== programDigest) reasons.push(`patch: program tasks/${def.program} changed`);
    const previousFrom = facts.annotations[HAT_ANNOTATIONS.baseImage] ?? 'unknown';
    const sameFrom = recipe.kind === 'base' ? previousFrom.endsWith(`@${digestOfImage(recipe.from)}`) : previousFrom === recipe.from;
    if (!sameFrom) reasons.push(`patch: image built from ${recipe.from} (was ${previousFrom})`);
    if (reasons.length === 0) reasons.push('patch: image recipe (Dockerfile.task) changed');
  }
  return { ...common, previous, change: { version: bumpVersion(last, contractChange.bump), bump: contractChange.bump, reasons } };
}

export async function planCatalog(inputs: PlanInputs): Promise<TaskPlan[]> {
  const names = new Set<string>();
  for (const def of inputs.definitions) {
    if (names.has(def.name)) throw new InputError(`two task definitions are named ${def.name}`);
    names.add(def.name);
  }
  const plans: TaskPlan[] = [];
  for (const def of inputs.definitions) plans.push(await planTask(def, inputs));
  return plans;
}
