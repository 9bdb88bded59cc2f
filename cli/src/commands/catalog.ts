import path from 'node:path';
import type { Command } from 'commander';
import { describe } from '../command-table.ts';
import { HatError, InputError } from '@hat/task-runtime';
import { formatTable, keyValue } from '../cli-util.ts';
import { DEFAULT_CATALOG_DIR, formatRebuilt, publishCatalog, rebuildCatalog, rebuildSummary, verifyCatalog, writeInstallIndex, type PublishResult, type RebuildResult, type TaskPlan } from '@hat/catalog';
import { allTasks } from '../task-registry.ts';

interface PublishOpts {
  registry?: string;
  recordRegistry?: string;
  base?: string;
  baseFor?: Record<string, string>;
  catalog?: string;
  dryRun?: boolean;
  plainHttp?: boolean;
  authfile?: string;
  buildahRoot?: string;
}

interface VerifyOpts {
  catalog?: string;
  rebuild?: boolean;
  registry?: string;
  base?: string;
  baseFor?: Record<string, string>;
  plainHttp?: boolean;
  authfile?: string;
  freshBase?: boolean;
}

const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

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
    .option('--base <image@digest>', "base image of the task images, pinned by digest (default: HAT's bases, built here from the rootfs recipe and Dockerfile.base, pushed with the images)")
    .option('--base-for <program=image@digest>', 'build PROGRAM with Dockerfile.task on this base (instead of --base, or of its own tasks/PROGRAM/Dockerfile; repeatable)', keyValue('--base-for'))
    .option('--catalog <dir>', 'catalog root (default: catalog/ of this repository)');
}

export function registerCatalogCommand(program: Command): void {
  const catalog = program.command('catalog').description(describe('catalog'));

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
    .option('--rebuild', 'also rebuild the image of every version whose source is unchanged, as publish built it, and compare its digest with the pinned one')
    .option('--registry <host/path>', 'with --rebuild: where the rebuilt images are pushed (<registry>/hat-rebuild/<program>), for their digests')
    .option('--base <image@digest>', 'with --rebuild: pull the recorded base from here (it must have the recorded digest)')
    .option('--base-for <program=image@digest>', 'with --rebuild: the same for one program (repeatable)', keyValue('--base-for'))
    .option('--plain-http', 'with --rebuild: allow plain HTTP and unverified TLS to the registries (local registries)')
    .option('--authfile <file>', 'with --rebuild: docker config.json with the registry credentials (default: $REGISTRY_AUTH_FILE, ~/.docker/config.json)')
    .option('--fresh-base', "with --rebuild: rebuild HAT's bases from scratch (debootstrap and all, a few minutes), not from the per-user cache")
    .action(async (opts: VerifyOpts) => {
      const rebuildFlags = (['registry', 'base', 'baseFor', 'plainHttp', 'authfile', 'freshBase'] as const).filter((k) => opts[k] !== undefined);
      if (!opts.rebuild && rebuildFlags.length > 0) throw new InputError(`${rebuildFlags.map(flagName).join(', ')}: only with --rebuild`);
      if (opts.rebuild && !opts.registry) throw new InputError('verify --rebuild needs --registry HOST[/PATH] (the rebuilt images are pushed there: the push gives their digest)');
      const dir = catalogDir(opts.catalog);
      const result = await verifyCatalog(dir);
      for (const p of result.problems) process.stdout.write(`${p}\n`);
      if (result.ok) {
        process.stdout.write(`catalog ok: ${result.versions} published version(s)${result.gitChecked ? ', unchanged since published' : ' (not a git work tree: immutability not checked)'}\n`);
      }
      let rebuilt: RebuildResult | undefined;
      if (opts.rebuild && opts.registry) {
        rebuilt = await rebuildCatalog({
          definitions: allTasks,
          catalog: dir,
          registry: opts.registry,
          base: opts.base,
          ...(opts.baseFor ? { baseFor: opts.baseFor } : {}),
          plainHttp: Boolean(opts.plainHttp),
          authFile: opts.authfile,
          freshBase: Boolean(opts.freshBase),
        });
        for (const v of rebuilt.versions) process.stdout.write(`${formatRebuilt(v)}\n`);
        process.stdout.write(`${rebuildSummary(rebuilt)}\n`);
      }
      const failures = [
        ...(result.ok ? [] : [`${result.problems.length} problem(s) in ${result.versions} published version(s)`]),
        ...(rebuilt && !rebuilt.ok ? [`${rebuilt.versions.filter((v) => v.status === 'mismatch' || v.status === 'failed').length} version(s) did not rebuild to their pinned image`] : []),
      ];
      if (failures.length > 0) throw new HatError(`catalog verify: ${failures.join('; ')}`);
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
