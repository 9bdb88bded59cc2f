// Where things live in a catalog (tektoncd/catalog's layout) and in the registry.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '@hat/task-runner';
import { compareCatalogVersions, isCatalogVersion } from './catalog-version.ts';

/** The committed catalog of this repository. */
export const DEFAULT_CATALOG_DIR = path.join(repoRoot, 'catalog');

export const TASK_FILES = {
  readme: 'README.md',
  artifactHub: 'artifacthub-pkg.yml',
  kustomization: 'kustomization.yaml',
} as const;

export const taskFileName = (task: string): string => `${task}.yaml`;
export const taskVersionDir = (catalog: string, task: string, version: string): string => path.join(catalog, 'tasks', task, version);
export const taskFilePath = (catalog: string, task: string, version: string): string => path.join(taskVersionDir(catalog, task, version), taskFileName(task));

/** Annotations HAT adds to a published Task: what publish needs to decide the next version, read back from the file. */
export const HAT_ANNOTATIONS = {
  /** sha256 over the Task without image and version, the program bundle, the base image digest and Dockerfile.task. */
  sourceDigest: 'hat.dev/source-digest',
  /** sha256 of the program bundle (tasks/<program>/dist/task.mjs) inside the image. */
  programDigest: 'hat.dev/program-digest',
  /** The base image the step image was built on, pinned by digest. */
  baseImage: 'hat.dev/base-image',
} as const;

/** Artifact Hub package annotation holding the Tekton bundle reference (the bundle cannot name its own digest). */
export const BUNDLE_ANNOTATION = 'hat.dev/bundle';

/** The in-cluster name of the newest version of one major: `deploy-test` 1.4.2 → `deploy-test-v1`. */
export const clusterTaskName = (task: string, major: number): string => `${task}-v${major}`;

/** `<prefix>/hat/<program>`: the step image repository (programOfImage() maps it back to tasks/<program>). */
export const imageRepository = (prefix: string, program: string): string => `${prefix}/hat/${program}`;
/** `<prefix>/hat-rebuild/<program>`: where verify --rebuild pushes (never the catalog's own repositories or tags). */
export const rebuildRepository = (prefix: string, program: string): string => `${prefix}/hat-rebuild/${program}`;
/** `<prefix>/hat/catalog/<task>`: the Tekton bundle repository of one Task. */
export const bundleRepository = (prefix: string, task: string): string => `${prefix}/hat/catalog/${task}`;

const dirs = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name);

/** Task names that have a folder in the catalog, sorted. */
export async function catalogTaskNames(catalog: string): Promise<string[]> {
  return (await dirs(path.join(catalog, 'tasks'))).sort();
}

/** Published versions of a Task (folders named MAJOR.MINOR.PATCH), oldest first. */
export async function publishedVersions(catalog: string, task: string): Promise<string[]> {
  return (await dirs(path.join(catalog, 'tasks', task))).filter(isCatalogVersion).sort(compareCatalogVersions);
}
