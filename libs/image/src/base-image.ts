// The base image: Dockerfile.base (FROM scratch, ADD rootfs.tar) built with buildah, reproducibly (--timestamp 0,
// OCI format, no identity label, one layer), into an OCI archive cached per user and keyed by the rootfs digest,
// the Dockerfile and buildah's version. Pushed to a registry with skopeo, digests preserved.
import { copyFile, link, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '@hat/task-runner';
import { buildOciArchive } from './oci-archive.ts';
import { HatError, run, type Logger } from '@hat/task-runtime';
import { cachedEntry, inputKey, sha256File } from './user-cache.ts';
import type { Rootfs } from './rootfs.ts';
import type { BaseVariant } from './variants.ts';

export const BASE_DOCKERFILE = path.join(repoRoot, 'Dockerfile.base');

export interface BaseImage {
  readonly variant: BaseVariant;
  /** OCI archive holding the image (one manifest, tag `<variant>`). */
  readonly archive: string;
  /** The image manifest digest (what a registry gives it, pushed with digests preserved). */
  readonly digest: string;
  readonly rootfs: Rootfs;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export async function buildahVersion(): Promise<string> {
  const { stdout } = await run('buildah', ['--version']);
  return stdout.trim();
}

/** Builds the base image from a rootfs tar into an OCI archive at `out`; returns the manifest digest. */
export async function buildBaseArchive(variant: BaseVariant, rootfs: Rootfs, out: string, scratch: string, log: Logger): Promise<string> {
  const context = path.join(scratch, 'context');
  await mkdir(context, { recursive: true });
  await link(rootfs.tar, path.join(context, 'rootfs.tar')).catch(() => copyFile(rootfs.tar, path.join(context, 'rootfs.tar')));
  await copyFile(BASE_DOCKERFILE, path.join(context, 'Dockerfile'));
  return log.time(`built the ${variant.name} base image`, () =>
    buildOciArchive({
      context,
      file: path.join(context, 'Dockerfile'),
      tag: `localhost/hat/${variant.repository}:${variant.name}`,
      buildArgs: { HAT_USER: variant.user },
      out,
      refName: variant.name,
      scratch,
    }),
  );
}

/** The variant's base image from the cache, building it (and its rootfs) when absent. */
export async function ensureBaseImage(variant: BaseVariant, rootfs: Rootfs, log: Logger, cacheDir?: string): Promise<BaseImage> {
  const key = inputKey({ rootfs: rootfs.digest, dockerfile: await sha256File(BASE_DOCKERFILE), buildah: await buildahVersion(), user: variant.user });
  let digest = '';
  const entry = await cachedEntry(
    `images/${variant.repository}-${key}`,
    async (temp, scratch) => {
      await mkdir(temp);
      digest = await buildBaseArchive(variant, rootfs, path.join(temp, 'image.oci.tar'), scratch, log);
      await writeFile(path.join(temp, 'digest'), `${digest}\n`);
    },
    cacheDir,
  );
  if (!entry.built) digest = (await readFile(path.join(entry.path, 'digest'), 'utf8')).trim();
  return { variant, archive: path.join(entry.path, 'image.oci.tar'), digest, rootfs };
}

export interface PushTarget {
  readonly authFile?: string | undefined;
  readonly tlsVerify: boolean;
}

/** Copies an OCI archive to `ref` (repo:tag) with skopeo, digests preserved; returns the manifest digest. */
export async function pushArchive(archive: string, tag: string, ref: string, target: PushTarget, scratch: string): Promise<string> {
  const digestFile = path.join(scratch, `digest-${Date.now()}`);
  await run('skopeo', [
    'copy', '--preserve-digests', '--retry-times', '3', `--dest-tls-verify=${target.tlsVerify}`,
    ...(target.authFile ? ['--dest-authfile', target.authFile] : []),
    '--digestfile', digestFile, `oci-archive:${archive}:${tag}`, `docker://${ref}`,
  ], { timeoutMs: 30 * 60_000 });
  const digest = (await readFile(digestFile, 'utf8')).trim();
  if (!DIGEST.test(digest)) throw new HatError(`skopeo copy to ${ref}: unexpected digest ${JSON.stringify(digest)}`);
  return digest;
}
