// One buildah build into an OCI archive, reproducibly (--timestamp 0, OCI format, no identity label, one layer) and
// in a private store under `scratch`: HAT's base images and the cluster's FROM-scratch images are built this way.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HatError, run } from '@hat/task-runtime';

export interface OciArchiveBuild {
  /** The build context; `file` is its Containerfile/Dockerfile. */
  readonly context: string;
  readonly file: string;
  /** Local name of the image while it is built, e.g. localhost/hat/pause:1. */
  readonly tag: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** The archive to write, and the reference name the image gets in it. */
  readonly out: string;
  readonly refName: string;
  /** A private folder: buildah's store and temp files. */
  readonly scratch: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Returns the image manifest digest. */
export async function buildOciArchive(b: OciArchiveBuild): Promise<string> {
  const store = ['--storage-driver', 'vfs', '--root', path.join(b.scratch, 'root'), '--runroot', path.join(b.scratch, 'runroot')];
  const env = { TMPDIR: b.scratch };
  await run('buildah', [
    ...store, 'build', '--isolation', 'chroot', '--timestamp', '0', '--format', 'oci', '--identity-label=false', '--layers=false',
    ...Object.entries(b.buildArgs ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]), '--tag', b.tag, '--file', b.file, b.context,
  ], { env, timeoutMs: 30 * 60_000 });
  const digestFile = path.join(b.scratch, 'digest');
  await run('buildah', [...store, 'push', '--format', 'oci', '--digestfile', digestFile, b.tag, `oci-archive:${b.out}:${b.refName}`], { env, timeoutMs: 30 * 60_000 });
  const digest = (await readFile(digestFile, 'utf8')).trim();
  if (!DIGEST.test(digest)) throw new HatError(`buildah push of ${b.tag}: unexpected digest ${JSON.stringify(digest)}`);
  return digest;
}
