// An image of one static binary, FROM scratch, built here with buildah (no registry) into an OCI archive cached per
// user by the binary's digest: the pause image (busybox) and CoreDNS.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildOciArchive, cachedEntry, sha256File, userCacheDir } from '@hat/image';
import { run } from '@hat/task-runtime';

export interface ScratchImage {
  /** e.g. localhost/hat/pause:1 */
  readonly image: string;
  readonly binary: string;
  /** Path of the binary in the image, e.g. /busybox. */
  readonly at: string;
  readonly entrypoint: readonly string[];
}

export async function scratchImageArchive(spec: ScratchImage, cacheDir = userCacheDir()): Promise<string> {
  const key = (await sha256File(spec.binary)).slice(7, 23);
  const name = spec.image.replace(/^.*\//, '').replace(/:.*$/, '');
  const entry = await cachedEntry(
    `cluster/images/${name}-${key}.oci.tar`,
    async (temp, scratch) => {
      const context = path.join(scratch, 'context');
      await mkdir(context);
      await copyFile(spec.binary, path.join(context, 'binary'));
      await writeFile(path.join(context, 'Containerfile'), `FROM scratch\nCOPY binary ${spec.at}\nENTRYPOINT ${JSON.stringify(spec.entrypoint)}\n`);
      await buildOciArchive({ context, file: path.join(context, 'Containerfile'), tag: spec.image, out: temp, refName: spec.image, scratch });
    },
    cacheDir,
  );
  return entry.path;
}

/** Imports an OCI archive into containerd's k8s.io namespace (where the kubelet's pods find images). */
export const importForPods = (containerdSocket: string, archive: string): Promise<unknown> =>
  run('ctr', ['--address', containerdSocket, '--namespace', 'k8s.io', 'images', 'import', archive]);
