// hat catalog publish: per changed Task, the next version; per changed program, one reproducible image; per
// version, a folder that is written once (staged, validated, then renamed into place) and a Tekton bundle.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderTaskObject, type TaskDefinition } from '@hat/task-spec';
import { ensureBundle, repoRoot } from '@hat/task-runner';
import { createLogger, HatError, InputError, type Logger } from '@hat/task-runtime';
import { pushTektonBundle } from '@hat/oci';
import { validateFiles } from './validate.ts';
import { hatBases, variantsOf, type HatBase } from './hat-bases.ts';
import { buildAndPushImage, withBuildahStorage } from './image-build.ts';
import { imageRecipes } from './image-recipe.ts';
import { writeInstallIndex } from './install-index.ts';
import { bundleRepository, imageRepository, TASK_FILES, taskFileName, taskVersionDir } from './layout.ts';
import { planCatalog, type TaskPlan } from './plan.ts';
import { parseRegistryPrefix, registrySessions, resolveAuthFile } from './registry-target.ts';
import { publishedTaskYaml } from './task-file.ts';
import { artifactHubPackage, versionKustomization, versionReadme } from './version-docs.ts';

export interface PublishOptions {
  /** The Tasks to publish (the CLI passes the task registry; tests pass their own). */
  readonly definitions: readonly TaskDefinition[];
  /** Catalog root (default: catalog/ of this repository). */
  readonly catalog: string;
  /** HOST[/PATH] to push images and bundles to; required unless dryRun. */
  readonly registry?: string | undefined;
  /** HOST[/PATH] written into the catalog when clusters pull from another name than the one pushed to. */
  readonly recordRegistry?: string | undefined;
  /**
   * Base image of every task image, pinned: IMAGE@sha256:…. Default: HAT's own bases, built here from the rootfs
   * recipe (libs/image) and pushed next to the task images (each program on the base its Tasks name).
   */
  readonly base?: string | undefined;
  /** Programs built with Dockerfile.task on another base than `base`, even if they have their own Dockerfile. */
  readonly baseFor?: Readonly<Record<string, string>>;
  readonly dryRun?: boolean;
  /** Allow plain HTTP and unverified TLS to the registries (local registries). */
  readonly plainHttp?: boolean;
  readonly authFile?: string | undefined;
  /** buildah storage to keep between runs (caches the base); default a temp dir removed afterwards. */
  readonly buildahRoot?: string | undefined;
  readonly programFile?: (program: string) => Promise<string>;
  readonly programReadme?: (program: string) => Promise<string | undefined>;
  /** Dockerfile.task (default: the repository's). */
  readonly dockerfile?: string;
  /** A program's own Dockerfile (default: tasks/<program>/Dockerfile when it exists). */
  readonly ownDockerfile?: (program: string) => Promise<string | undefined>;
  readonly now?: () => Date;
  readonly log?: Logger;
}

export interface PublishedVersion {
  readonly task: string;
  readonly version: string;
  readonly image: string;
  readonly bundle: string;
  readonly dir: string;
}

export interface PublishResult {
  readonly plans: readonly TaskPlan[];
  readonly published: readonly PublishedVersion[];
  /** Install index files (catalog/kustomization.yaml, install/…) rewritten. */
  readonly indexWritten: readonly string[];
}

const defaultReadme = (program: string): Promise<string | undefined> => readFile(path.join(repoRoot, 'tasks', program, 'README.md'), 'utf8').catch(() => undefined);

/** Platforms a Task claims (`tekton.dev/platforms`), which its image must serve. */
export function platformsOf(def: TaskDefinition): string[] {
  const annotations = (renderTaskObject(def, { version: '0.0.0', image: 'image' })['metadata'] as { annotations?: Record<string, string> }).annotations ?? {};
  return (annotations['tekton.dev/platforms'] ?? 'linux/amd64').split(',').map((p) => p.trim()).filter(Boolean);
}

/** The registry name a dry run records HAT's bases under when no --registry/--record-registry is given. */
export const DEFAULT_RECORD_REGISTRY = 'ghcr.io/hat-project';

export async function publishCatalog(opts: PublishOptions): Promise<PublishResult> {
  const log = opts.log ?? createLogger();
  if (!opts.dryRun && !opts.registry) throw new InputError('publish needs --registry HOST[/PATH] (where images and bundles are pushed)');
  const push = opts.registry ? parseRegistryPrefix(opts.registry, '--registry') : undefined;
  const record = opts.recordRegistry ? parseRegistryPrefix(opts.recordRegistry, '--record-registry') : push;
  const tlsVerify = !opts.plainHttp;
  const authFile = await resolveAuthFile(opts.authFile);
  // Without --base: HAT's bases, built from the recipe and pushed before anything else (a dry run only builds them).
  let base = opts.base;
  let baseFor = opts.baseFor;
  const baseSources = new Map<string, string>();
  if (base === undefined) {
    const bases = await hatBases(variantsOf(opts.definitions), {
      recordPrefix: record?.prefix ?? DEFAULT_RECORD_REGISTRY,
      pushPrefix: opts.dryRun ? undefined : push?.prefix,
      tlsVerify,
      authFile,
      log,
    });
    // Every program gets the base its Tasks name (baseFor); `base` only fills the recipe's required default.
    const of = (def: TaskDefinition): HatBase => bases.get(def.base)!;
    base = [...bases.values()][0]!.named;
    baseFor = { ...Object.fromEntries(opts.definitions.map((d) => [d.program, of(d).named])), ...opts.baseFor };
    for (const d of opts.definitions) if (of(d).source && !opts.baseFor?.[d.program]) baseSources.set(d.program, of(d).source!);
  }
  const recipes = await imageRecipes(new Set(opts.definitions.map((d) => d.program)), {
    base,
    baseFor,
    taskDockerfile: opts.dockerfile,
    ownDockerfile: opts.ownDockerfile,
  });
  const plans = await planCatalog({ definitions: opts.definitions, catalog: opts.catalog, recipes, programFile: opts.programFile ?? ensureBundle });
  const changed = plans.filter((p) => p.change !== undefined).sort((a, b) => a.def.name.localeCompare(b.def.name));
  if (opts.dryRun) return { plans, published: [], indexWritten: [] };
  if (changed.length === 0) return { plans, published: [], indexWritten: await writeInstallIndex(opts.catalog) };
  if (!push || !record) throw new InputError('publish needs --registry HOST[/PATH] (where images and bundles are pushed)');
  const sessions = registrySessions(authFile, tlsVerify);
  const session = await sessions(push.host);
  const pathIn = (repo: string): string => repo.slice(push.host.length + 1);

  const published: PublishedVersion[] = [];
  await withBuildahStorage(opts.buildahRoot, async (storage) => {
    // 1. One image per changed program, tagged with each version its Tasks get.
    const images = new Map<string, string>(); // program → index digest
    for (const program of [...new Set(changed.map((p) => p.def.program))].sort()) {
      const tasks = changed.filter((p) => p.def.program === program);
      const first = tasks[0]!;
      const platforms = [...new Set(tasks.flatMap((p) => platformsOf(p.def)))].sort();
      const tags = [...new Set(tasks.map((p) => p.change!.version))].sort().map((version) => `${imageRepository(push.prefix, program)}:${version}`);
      const image = { program, programFile: first.programFile, recipe: first.recipe, baseSource: baseSources.get(program), platforms, storage, tlsVerify, authFile, log, session: sessions };
      images.set(program, await buildAndPushImage(image, tags));
    }
    // 2. Per changed Task: stage the version folder, validate, push the bundle, move into place.
    for (const plan of changed) {
      const { def } = plan;
      const version = plan.change!.version;
      const dir = taskVersionDir(opts.catalog, def.name, version);
      if (await stat(dir).then(() => true, () => false)) throw new HatError(`${dir} already exists: published versions are immutable`);
      const staging = path.join(path.dirname(dir), `.staging-${version}-${process.pid}`);
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      try {
        const image = `${imageRepository(record.prefix, def.program)}:${version}@${images.get(def.program)}`;
        const taskYaml = publishedTaskYaml({ def, version, image, sourceDigest: plan.sourceDigest, programDigest: plan.programDigest, baseImage: plan.recipe.from });
        const taskFile = path.join(staging, taskFileName(def.name));
        await writeFile(taskFile, taskYaml);
        const check = await validateFiles([taskFile]);
        if (!check.ok) throw new HatError(`${def.name} ${version} does not pass Tekton validation: ${check.problems.join('; ')}`);
        const bundleRepo = bundleRepository(push.prefix, def.name);
        const bundleDigest = await log.time(`pushed bundle ${bundleRepo}:${version}`, () =>
          pushTektonBundle(session, pathIn(bundleRepo), version, [{ apiVersion: 'tekton.dev/v1', kind: 'Task', name: def.name, content: Buffer.from(taskYaml) }], {
            'org.opencontainers.image.title': def.name,
            'org.opencontainers.image.version': version,
          }),
        );
        const bundle = `${bundleRepository(record.prefix, def.name)}:${version}@${bundleDigest}`;
        const docs = {
          def,
          version,
          image,
          bundle,
          platforms: platformsOf(def),
          programReadme: await (opts.programReadme ?? defaultReadme)(def.program),
          createdAt: (opts.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        };
        await writeFile(path.join(staging, TASK_FILES.readme), versionReadme(docs));
        await writeFile(path.join(staging, TASK_FILES.artifactHub), artifactHubPackage(docs));
        await writeFile(path.join(staging, TASK_FILES.kustomization), versionKustomization(def.name));
        await rename(staging, dir);
        log.info(`published ${def.name} ${version} (${plan.change!.reasons.join('; ')})`);
        published.push({ task: def.name, version, image, bundle, dir });
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    }
  });
  const indexWritten = await writeInstallIndex(opts.catalog);
  return { plans, published, indexWritten };
}
