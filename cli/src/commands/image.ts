import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { describe } from '../command-table.ts';
import { BASE_DOCKERFILE, BASE_VARIANTS, ensureBase, ensureRootfsOf, type BaseVariant } from '@hat/image';
import { createLogger, InputError } from '@hat/task-runtime';

const variantOf = (name: string | undefined): BaseVariant => {
  const variant = BASE_VARIANTS[(name ?? 'node') as BaseVariant['name']];
  if (!variant) throw new InputError(`--variant takes ${Object.keys(BASE_VARIANTS).join(' or ')} (got ${JSON.stringify(name)})`);
  return variant;
};

export function registerImageCommands(program: Command): void {
  const image = program.command('image').description(describe('image'));
  image
    .command('base')
    .description('build (or find in the cache) a base image as an OCI archive; prints its digest and path')
    .option('--variant <name>', 'node (every task) or buildah (build-image)', 'node')
    .action(async (opts: { variant?: string }) => {
      const base = await ensureBase(variantOf(opts.variant), { log: createLogger({ prefix: 'image' }) });
      process.stdout.write(`${base.variant.name} base ${base.digest}\n  archive ${base.archive}\n  rootfs  ${base.rootfs.digest}\n`);
    });
  image
    .command('rootfs')
    .description('write the root file system (rootfs.tar) and Dockerfile.base into a folder, to build the base elsewhere')
    .requiredOption('--out <dir>', 'folder to write rootfs.tar and Dockerfile into')
    .option('--variant <name>', 'node (every task) or buildah (build-image)', 'node')
    .action(async (opts: { out: string; variant?: string }) => {
      const variant = variantOf(opts.variant);
      const rootfs = await ensureRootfsOf(variant, { log: createLogger({ prefix: 'image' }) });
      const out = path.resolve(opts.out);
      await mkdir(out, { recursive: true });
      await copyFile(rootfs.tar, path.join(out, 'rootfs.tar'));
      await copyFile(BASE_DOCKERFILE, path.join(out, 'Dockerfile'));
      process.stdout.write(`wrote ${path.join(out, 'rootfs.tar')} (${rootfs.digest}) and Dockerfile\n`);
      process.stdout.write(`build it: buildah build --timestamp 0 --format oci --identity-label=false --build-arg HAT_USER=${variant.user} ${out}\n`);
    });
}
