// The pod sandbox ("pause") image, built here without a registry: FROM scratch, Debian's static busybox sleeping
// forever. An OCI archive cached per user, imported into containerd's k8s.io namespace under PAUSE_IMAGE.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cachedEntry, sha256File, userCacheDir } from '@hat/image';
import { run } from '@hat/task-runtime';
import { PAUSE_IMAGE } from './components-config.ts';

const BUSYBOX = '/bin/busybox';

export async function pauseImageArchive(cacheDir = userCacheDir()): Promise<string> {
  const key = (await sha256File(BUSYBOX)).slice(7, 23);
  const entry = await cachedEntry(
    `cluster/images/pause-${key}.oci.tar`,
    async (temp, scratch) => {
      const context = path.join(scratch, 'context');
      await mkdir(context);
      await copyFile(BUSYBOX, path.join(context, 'busybox'));
      await writeFile(path.join(context, 'Containerfile'), 'FROM scratch\nCOPY busybox /busybox\nENTRYPOINT ["/busybox", "sleep", "2147483647"]\n');
      const store = ['--storage-driver', 'vfs', '--root', path.join(scratch, 'root'), '--runroot', path.join(scratch, 'runroot')];
      await run('buildah', [...store, 'build', '--isolation', 'chroot', '--timestamp', '0', '--format', 'oci', '--tag', PAUSE_IMAGE, context], { env: { TMPDIR: scratch } });
      await run('buildah', [...store, 'push', PAUSE_IMAGE, `oci-archive:${temp}:${PAUSE_IMAGE}`], { env: { TMPDIR: scratch } });
    },
    cacheDir,
  );
  return entry.path;
}

export async function importPauseImage(containerdSocket: string): Promise<void> {
  await run('ctr', ['--address', containerdSocket, '--namespace', 'k8s.io', 'images', 'import', await pauseImageArchive()]);
}
