import path from 'node:path';
import type { Command } from 'commander';
import { HatError } from '@hat/task-runtime';
import { formatTable, keyValue } from '../cli-util.ts';
import { writeInstallIndex } from '../catalog/install-index.ts';
import { DEFAULT_CATALOG_DIR } from '../catalog/layout.ts';
import type { TaskPlan } from '../catalog/plan.ts';
import { publishCatalog, type PublishResult } from '../catalog/publish.ts';
import { verifyCatalog } from '../catalog/verify.ts';
import { allTasks } from '../task-registry.ts';

interface PublishOpts {
  registry?: string;
  recordRegistry?: string;
  base: string;
  baseFor?: Record<string, string>;
  catalog?: string;
  dryRun?: boolean;
  plainHttp?: boolean;
  authfile?: string;
  buildahRoot?: string;
}

const catalogDir = (flag: string | undefined): string => (flag ? path.resolve(flag) : DEFAULT_CATALOG_DIR);

function printPlan(plans: readonly TaskPlan[]): void {
  const rows = plans.map((p) => [p.def.name, p.def.program, p.previous?.version ?? '-', p.change?.version ?? '-', p.change ? p.change.bump : 'unchanged']);
  process.stdout.write(`${formatTable(['task', 'program', 'published', 'next', 'change'], rows)}\n`);
  for (const p of plans) for (const reason of p.change?.reasons ?? []) process.stdout.write(`  ${p.def.name}: ${reason}\n`);
}

function printResult(result: PublishResult, dryRun: boolean): void {
  printPlan(result.plans);
  const changed = result.plans.filter((p) => p.change).length;
  if (dryRun) {
    process.stdout.write(changed ? `dry run: would publish ${changed} version(s); nothing built or pushed\n` : 'dry run: nothing to publish\n');
    return;
  }
  for (const v of result.published) process.stdout.write(`published ${v.task} ${v.version}\n  image  ${v.image}\n  bundle ${v.bundle}\n`);
  for (const f of result.indexWritten) process.stdout.write(`wrote ${f}\n`);
  if (result.published.length === 0) process.stdout.write('nothing to publish: every Task matches its last published version\n');
}

function addPublishOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--base <image@digest>', 'base image of the task images, pinned by digest (built from Dockerfile.base)')
    .option('--base-for <program=image@digest>', 'build PROGRAM with Dockerfile.task on this base (instead of --base, or of its own tasks/PROGRAM/Dockerfile; repeatable)', keyValue('--base-for'))
    .option('--catalog <dir>', 'catalog root (default: catalog/ of this repository)');
}

export function registerCatalogCommand(program: Command): void {
  const catalog = program.command('catalog').description('the versioned Task catalog: publish new versions, verify the published ones');

  addPublishOptions(
    catalog
      .command('publish')
      .description('publish a new version of every Task whose contract or code changed: image (buildah), Tekton bundle, catalog/tasks/<name>/<version>/')
      .option('--registry <host/path>', 'where images (<registry>/hat/<program>) and bundles (<registry>/hat/catalog/<task>) are pushed')
      .option('--record-registry <host/path>', 'registry name written into the catalog, when clusters pull from another name than --registry (same digests)')
      .option('--dry-run', 'show what would be published; build and push nothing')
      .option('--plain-http', 'allow plain HTTP and unverified TLS to the registries (local registries)')
      .option('--authfile <file>', 'docker config.json with the registry credentials (default: $REGISTRY_AUTH_FILE, ~/.docker/config.json)')
      .option('--buildah-root <dir>', 'buildah storage kept between runs (default: a temp dir, removed)'),
  ).action(async (opts: PublishOpts) => {
    const dryRun = Boolean(opts.dryRun);
    const result = await publishCatalog({
      definitions: allTasks,
      catalog: catalogDir(opts.catalog),
      registry: opts.registry,
      recordRegistry: opts.recordRegistry,
      base: opts.base,
      ...(opts.baseFor ? { baseFor: opts.baseFor } : {}),
      dryRun,
      plainHttp: Boolean(opts.plainHttp),
      authFile: opts.authfile,
      buildahRoot: opts.buildahRoot,
    });
    printResult(result, dryRun);
  });

  addPublishOptions(catalog.command('build').description('show what publish would write (versions and why), building and pushing nothing: publish --dry-run')).action(
    async (opts: PublishOpts) => {
      const result = await publishCatalog({ definitions: allTasks, catalog: catalogDir(opts.catalog), base: opts.base, ...(opts.baseFor ? { baseFor: opts.baseFor } : {}), dryRun: true });
      printResult(result, true);
    },
  );

  catalog
    .command('verify')
    .description('check the catalog: Tekton validation, tektoncd/catalog layout and annotations, pinned images, docs, current install index, and no published file changed since its commit')
    .option('--catalog <dir>', 'catalog root (default: catalog/ of this repository)')
    .action(async (opts: { catalog?: string }) => {
      const result = await verifyCatalog(catalogDir(opts.catalog));
      for (const p of result.problems) process.stdout.write(`${p}\n`);
      if (!result.ok) throw new HatError(`catalog verify: ${result.problems.length} problem(s) in ${result.versions} published version(s)`);
      process.stdout.write(`catalog ok: ${result.versions} published version(s)${result.gitChecked ? ', unchanged since published' : ' (not a git work tree: immutability not checked)'}\n`);
    });

  catalog
    .command('index')
    .description('regenerate catalog/kustomization.yaml and catalog/install/v<major>/ from catalog/tasks/')
    .option('--catalog <dir>', 'catalog root (default: catalog/ of this repository)')
    .action(async (opts: { catalog?: string }) => {
      const written = await writeInstallIndex(catalogDir(opts.catalog));
      process.stdout.write(written.length ? written.map((f) => `wrote ${f}\n`).join('') : 'install index is current\n');
    });
}
