// hat catalog verify: the catalog is valid Tekton, follows tektoncd/catalog's rules, pins its images, documents
// every version, its install index is current, and no published file changed since the commit that added it.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { validateFiles } from './validate.ts';
import { isCatalogVersion } from './catalog-version.ts';
import { HUB_CATEGORIES, REQUIRED_ANNOTATIONS } from './hub-categories.ts';
import { staleInstallIndex } from './install-index.ts';
import { BUNDLE_ANNOTATION, catalogTaskNames, HAT_ANNOTATIONS, TASK_FILES, taskFileName } from './layout.ts';
import { taskFacts } from './task-file.ts';
import { versionKustomization } from './version-docs.ts';
import { checkPublishedUnchanged } from './verify-git.ts';

export interface VerifyResult {
  readonly ok: boolean;
  /** One line per problem, `FILE: what is wrong`. */
  readonly problems: readonly string[];
  /** What was checked, for the summary line. */
  readonly versions: number;
  readonly gitChecked: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PINNED = /^[^@\s]+:[^@/\s]+@sha256:[0-9a-f]{64}$/;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

async function read(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

/** Problems of one published version folder. */
async function checkVersion(dir: string, task: string, version: string, show: (f: string) => string): Promise<string[]> {
  const problems: string[] = [];
  const at = (file: string, message: string): void => void problems.push(`${show(file)}: ${message}`);
  const taskFile = path.join(dir, taskFileName(task));
  const text = await read(taskFile);
  if (text === undefined) {
    at(taskFile, `missing: a version folder holds ${taskFileName(task)} (file name = folder name = metadata.name)`);
    return problems;
  }
  let facts;
  try {
    const doc = obj(parse(text));
    if (doc['kind'] !== 'Task' || doc['apiVersion'] !== 'tekton.dev/v1') at(taskFile, `expected a tekton.dev/v1 Task (got ${String(doc['apiVersion'])} ${String(doc['kind'])})`);
    facts = taskFacts(doc);
  } catch (err) {
    at(taskFile, `not YAML (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    return problems;
  }
  if (facts.name !== task) at(taskFile, `metadata.name is ${JSON.stringify(facts.name)}; it must equal the folder name ${task}`);
  if (facts.version !== version) at(taskFile, `label app.kubernetes.io/version is ${JSON.stringify(facts.version)}; it must equal the folder version ${version}`);
  for (const key of REQUIRED_ANNOTATIONS) if (!facts.annotations[key]?.trim()) at(taskFile, `annotation ${key} is required (tektoncd/catalog)`);
  for (const category of (facts.annotations['tekton.dev/categories'] ?? '').split(',').map((c) => c.trim()).filter(Boolean)) {
    if (!HUB_CATEGORIES.includes(category)) at(taskFile, `category ${JSON.stringify(category)} is not one of the Tekton Hub's: ${HUB_CATEGORIES.join(', ')}`);
  }
  for (const key of Object.values(HAT_ANNOTATIONS)) if (!facts.annotations[key]) at(taskFile, `annotation ${key} is missing (hat catalog publish writes it; it decides the next version)`);
  if (facts.images.length === 0) at(taskFile, 'no steps');
  for (const image of facts.images) if (!PINNED.test(image)) at(taskFile, `step image ${JSON.stringify(image)} is not pinned as repo:tag@sha256:<digest>`);

  const readmeFile = path.join(dir, TASK_FILES.readme);
  const readme = await read(readmeFile);
  if (readme === undefined) at(readmeFile, 'missing: every version has a README');

  const hubFile = path.join(dir, TASK_FILES.artifactHub);
  const hubText = await read(hubFile);
  if (hubText === undefined) at(hubFile, 'missing: every version has an Artifact Hub package file');
  else {
    let hub: Json = {};
    try {
      hub = obj(parse(hubText));
    } catch (err) {
      at(hubFile, `not YAML (${err instanceof Error ? err.message : String(err)})`);
    }
    if (hub['name'] !== task) at(hubFile, `name is ${JSON.stringify(hub['name'])}; expected ${task}`);
    if (hub['version'] !== version) at(hubFile, `version is ${JSON.stringify(hub['version'])}; expected ${version}`);
    for (const key of ['displayName', 'createdAt', 'description']) if (!hub[key]) at(hubFile, `${key} is required by Artifact Hub`);
    const listed = (Array.isArray(hub['containersImages']) ? hub['containersImages'] : []).map((c) => String(obj(c)['image']));
    for (const image of facts.images) if (!listed.includes(image)) at(hubFile, `containersImages does not list the step image ${image}`);
    const bundle = String(obj(hub['annotations'])[BUNDLE_ANNOTATION] ?? '');
    const m = /^[^@\s]+\/hat\/catalog\/([^/:@\s]+):([^@/\s]+)@(sha256:[0-9a-f]{64})$/.exec(bundle);
    if (!m) at(hubFile, `annotation ${BUNDLE_ANNOTATION} must be <registry>/hat/catalog/${task}:${version}@sha256:<digest> (got ${JSON.stringify(bundle)})`);
    else {
      if (m[1] !== task || m[2] !== version) at(hubFile, `annotation ${BUNDLE_ANNOTATION} names ${m[1]}:${m[2]}; expected ${task}:${version}`);
      if (hub['digest'] !== m[3]) at(hubFile, `digest ${JSON.stringify(hub['digest'])} differs from the bundle digest ${m[3]}`);
      if (readme !== undefined && !readme.includes(bundle)) at(readmeFile, `does not give the bundle reference ${bundle}`);
    }
  }
  const kustomizationFile = path.join(dir, TASK_FILES.kustomization);
  if ((await read(kustomizationFile)) !== versionKustomization(task)) at(kustomizationFile, `missing or not the generated kustomization (resources: [${taskFileName(task)}])`);
  return problems;
}

export async function verifyCatalog(catalog: string, opts: { display?: (file: string) => string } = {}): Promise<VerifyResult> {
  const show = opts.display ?? ((file: string) => path.relative(process.cwd(), file) || '.');
  const problems: string[] = [];
  let versions = 0;
  const tasksDir = path.join(catalog, 'tasks');
  for (const task of await catalogTaskNames(catalog)) {
    const taskDir = path.join(tasksDir, task);
    if (!DNS_LABEL.test(task)) problems.push(`${show(taskDir)}: a Task name is a DNS-1123 label`);
    for (const entry of (await readdir(taskDir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(taskDir, entry.name);
      if (!entry.isDirectory() || !isCatalogVersion(entry.name)) {
        problems.push(`${show(full)}: unexpected; ${show(taskDir)} holds only version folders MAJOR.MINOR.PATCH`);
        continue;
      }
      versions++;
      problems.push(...(await checkVersion(full, task, entry.name, show)));
    }
  }
  for (const rel of await staleInstallIndex(catalog)) problems.push(`${show(path.join(catalog, rel))}: stale install index (regenerate it: npx hat catalog index)`);
  const validation = await validateFiles([catalog]);
  problems.push(...validation.problems);
  const git = await checkPublishedUnchanged(catalog, show);
  problems.push(...git.problems);
  return { ok: problems.length === 0, problems, versions, gitChecked: git.checked };
}
