// The task images as `hat catalog publish` makes them, in containerd: publish every Task into an empty temp
// catalog (HAT's bases from the per-user cache, each program's image on its variant, pushed to the stack's
// registry, ghcr.io/hat-project recorded), then copy each image out as an OCI archive and import it into
// containerd under the exact reference its Task pins. Used by test/images and bench/images.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { publishCatalog, type PublishedVersion } from '@hat/catalog';
import { programOfImage } from '@hat/task-runner';
import type { Logger } from '@hat/task-runtime';
import { paramEnv, paramInfos } from '@hat/task-spec';
import { allTasks } from '../../cli/src/task-registry.ts';
import { writeRegistryAuthFile, type Containerd, type Stack } from '../stack/index.ts';
import type { TaskImage } from './info.ts';

export const RECORDED_REGISTRY = 'ghcr.io/hat-project';

const digestOf = (image: string): string => image.slice(image.lastIndexOf('@') + 1);

export interface TaskImages {
  readonly catalog: string;
  readonly images: TaskImage[];
  readonly published: readonly PublishedVersion[];
}

export async function publishTaskImages(stack: Pick<Stack, 'registry'>, containerd: Pick<Containerd, 'importImage'>, work: string, log: Logger): Promise<TaskImages> {
  const authFile = await writeRegistryAuthFile(stack.registry, path.join(work, 'auth.json'));
  const catalog = path.join(work, 'catalog');
  const result = await publishCatalog({
    definitions: allTasks,
    catalog,
    registry: `${stack.registry.host}/hat-project`,
    recordRegistry: RECORDED_REGISTRY,
    plainHttp: true,
    authFile,
    log,
  });
  const images: TaskImage[] = [];
  for (const v of result.published) {
    if (images.some((i) => i.image === v.image)) continue;
    const program = programOfImage(v.image);
    const archive = await importPushed(stack, containerd, work, program, v.image);
    images.push({ program, image: v.image, digest: digestOf(v.image), bytes: (await stat(archive)).size });
  }
  return { catalog, images, published: result.published };
}

/**
 * Copies `<registry>/hat-project/hat/<repository>@<digest of recorded>` (what publish pushed: a task image or a HAT
 * base) into containerd as `recorded`; returns the OCI archive it went through. Call after publishTaskImages.
 */
export async function importPushed(stack: Pick<Stack, 'registry'>, containerd: Pick<Containerd, 'importImage'>, work: string, repository: string, recorded: string): Promise<string> {
  const archive = path.join(work, `${repository}.oci.tar`);
  const pushed = `${stack.registry.host}/hat-project/hat/${repository}@${digestOf(recorded)}`;
  await execa('skopeo', ['copy', '--preserve-digests', '--src-tls-verify=false', '--src-authfile', path.join(work, 'auth.json'), `docker://${pushed}`, `oci-archive:${archive}:${repository}`]);
  await containerd.importImage(archive, recorded);
  return archive;
}

/** Every param of the program's first Task set to "!!", which each program refuses before any work (exit 2). */
export function badParamEnv(program: string): Record<string, string> {
  const def = allTasks.find((d) => d.program === program);
  if (!def) throw new Error(`no Task runs program ${program}`);
  return { HAT_ENV: 'test', ...Object.fromEntries(paramInfos(def).map((p) => [paramEnv(p.name), '!!'])) };
}

/** One fresh container of the image running `command`; returns its exit code and wall time (ctr run end to end). */
export async function timeContainer(containerd: Containerd, image: string, command: readonly string[], env: Record<string, string> = {}): Promise<{ exitCode: number; ms: number }> {
  const started = performance.now();
  const run = await execa(
    'ctr',
    ['--address', containerd.address, '--namespace', containerd.namespace, 'run', '--rm', '--net-host', '--read-only',
      ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]), image, `t-${process.pid}-${Math.random().toString(36).slice(2, 10)}`, ...command],
    { reject: false },
  );
  return { exitCode: run.exitCode ?? -1, ms: performance.now() - started };
}
