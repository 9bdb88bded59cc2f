// Builds a task image (Dockerfile.task: the base plus one program bundle, or the program's own Dockerfile) with
// buildah for each platform the Task claims, as one OCI image index, and pushes it. Reproducible: --timestamp 0, a
// build context holding only the bundle, each platform FROM its own base manifest, and the platforms added to the
// index in a fixed order, so the same inputs give the same digest (an own Dockerfile's RUN steps may not be).
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fetchManifest, parseImageRef, type PushSession } from '@hat/oci';
import { programFiles } from '@hat/task-runner';
import { HatError, run, type Logger } from '@hat/task-runtime';
import type { ImageRecipe } from './image-recipe.ts';

export interface BuildahStorage {
  /** buildah --root */
  readonly root: string;
  /** buildah --runroot */
  readonly runroot: string;
}

export interface ImageBuild {
  readonly program: string;
  readonly programFile: string;
  readonly recipe: ImageRecipe;
  /** Recipe 'base': per platform, the base pinned to that platform's own manifest (see platformBases). */
  readonly bases: ReadonlyMap<string, string>;
  /** e.g. ['linux/amd64', 'linux/arm64'] */
  readonly platforms: readonly string[];
  readonly storage: BuildahStorage;
  readonly tlsVerify: boolean;
  readonly authFile?: string | undefined;
  /** registries.conf for the build (CONTAINERS_REGISTRIES_CONF): a mirror that serves the base under its recorded name. */
  readonly registriesConf?: string | undefined;
  readonly log: Logger;
}

const globalArgs = (s: BuildahStorage): string[] => ['--storage-driver', 'vfs', '--root', s.root, '--runroot', s.runroot];
const registryArgs = (b: Pick<ImageBuild, 'tlsVerify' | 'authFile'>): string[] => [`--tls-verify=${b.tlsVerify}`, ...(b.authFile ? ['--authfile', b.authFile] : [])];

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const IMAGE_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];

/**
 * The base for each platform as `repo@<that platform's manifest digest>`, read from the base's image index. Building
 * FROM the index digest is not reproducible: which stored image buildah resolves the index name to (and records as
 * the base) depends on what the storage already holds. A single-platform base is used as is.
 */
export async function platformBases(session: PushSession, base: string, platforms: readonly string[]): Promise<Map<string, string>> {
  const ref = parseImageRef(base);
  if (!ref.digest) throw new HatError(`base image ${base} is not pinned by digest`);
  const repo = base.slice(0, base.lastIndexOf('@'));
  const manifest = await fetchManifest(session, ref.repository, ref.digest, [...INDEX_TYPES, ...IMAGE_TYPES]);
  if (!manifest) throw new HatError(`base image ${base} not found in its registry`);
  const json = JSON.parse(manifest.bytes.toString('utf8')) as { mediaType?: string; manifests?: Array<{ digest: string; platform?: { os?: string; architecture?: string; variant?: string } }> };
  if (!Array.isArray(json.manifests)) return new Map(platforms.map((p) => [p, base]));
  const bases = new Map<string, string>();
  for (const platform of platforms) {
    const [os = '', architecture = '', variant] = platform.split('/');
    const match = json.manifests.find((m) => m.platform?.os === os && m.platform.architecture === architecture && (variant === undefined || m.platform.variant === variant));
    if (!match) throw new HatError(`base image ${base} has no ${platform} image, and the Task claims that platform (tekton.dev/platforms)`);
    bases.set(platform, `${repo}@${match.digest}`);
  }
  return bases;
}

/** Builds the image index for a program into buildah storage; returns its local name (push it with pushImage). */
export async function buildProgramImage(b: ImageBuild): Promise<string> {
  const context = await mkdtemp(path.join(os.tmpdir(), `hat-image-${b.program}-`));
  const list = `localhost/hat-catalog/${b.program}:index-${process.pid}-${Date.now()}`;
  try {
    // The program's files (programFiles: task.mjs and its chunks) as tasks/<program>/dist/ in the build context.
    const dist = path.join(context, 'tasks', b.program, 'dist');
    for (const f of await programFiles(b.programFile)) {
      await mkdir(path.dirname(path.join(dist, f)), { recursive: true });
      await copyFile(path.join(path.dirname(b.programFile), f), path.join(dist, f));
    }
    await copyFile(b.recipe.dockerfile, path.join(context, 'Dockerfile'));
    const images: string[] = [];
    for (const platform of b.platforms) {
      const image = `localhost/hat-catalog/${b.program}:${platform.replace(/\//g, '-')}`;
      await b.log.time(`built ${b.program} for ${platform}`, () =>
        run('buildah', [
          ...globalArgs(b.storage),
          'build',
          '--isolation',
          'chroot',
          '--timestamp',
          '0',
          '--platform',
          platform,
          ...registryArgs(b),
          ...(b.recipe.kind === 'base' ? ['--build-arg', `BASE=${b.bases.get(platform) ?? ''}`] : []),
          '--build-arg',
          `PROGRAM=${b.program}`,
          '--tag',
          image,
          '--file',
          path.join(context, 'Dockerfile'),
          context,
        ], b.registriesConf ? { env: { CONTAINERS_REGISTRIES_CONF: b.registriesConf } } : {}),
      );
      images.push(image);
    }
    await run('buildah', [...globalArgs(b.storage), 'manifest', 'create', list]);
    for (const image of images) await run('buildah', [...globalArgs(b.storage), 'manifest', 'add', list, `containers-storage:${image}`]);
    return list;
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** Removes the local image index (not its images: they are the next build's cache). */
export async function removeImageList(list: string, storage: BuildahStorage): Promise<void> {
  await run('buildah', [...globalArgs(storage), 'manifest', 'rm', list], { okExitCodes: [125] });
}

/** Pushes a built image index (all platforms, OCI format) to `ref` and returns the index digest. */
export async function pushImage(list: string, ref: string, b: Pick<ImageBuild, 'storage' | 'tlsVerify' | 'authFile' | 'log'>): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'hat-push-'));
  try {
    const digestFile = path.join(scratch, 'digest');
    await b.log.time(`pushed ${ref}`, () =>
      run('buildah', [...globalArgs(b.storage), 'manifest', 'push', '--all', '--format', 'oci', ...registryArgs(b), '--digestfile', digestFile, list, `docker://${ref}`]),
    );
    const digest = (await readFile(digestFile, 'utf8')).trim();
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`buildah manifest push ${ref}: unexpected digest ${JSON.stringify(digest)}`);
    return digest;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Runs fn with buildah storage under `root` (kept), or under a temp dir removed afterwards. */
export async function withBuildahStorage<T>(root: string | undefined, fn: (storage: BuildahStorage) => Promise<T>): Promise<T> {
  const temp = root ? undefined : await mkdtemp(path.join(os.tmpdir(), 'hat-buildah-'));
  const dir = root ? path.resolve(root) : (temp ?? '');
  try {
    return await fn({ root: path.join(dir, 'root'), runroot: path.join(dir, 'runroot') });
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

export interface ProgramImage extends Omit<ImageBuild, 'bases' | 'registriesConf'> {
  /** A registry session for a host (reads the base's image index). */
  readonly session: (host: string) => Promise<PushSession>;
  /**
   * Where to pull the base from, when not from recipe.base itself: the same digest under another name. The image
   * still names recipe.base (buildah records the FROM name in it, so the name is part of the digest): a
   * registries.conf mirror serves recipe.base's repository from this one.
   */
  readonly baseSource?: string | undefined;
}

const repositoryOf = (image: string): string => {
  const ref = parseImageRef(image);
  return `${ref.registry}/${ref.repository}`;
};

/** registries.conf: pull `from`'s repository from `to`'s repository (digest pulls only). */
const mirrorConf = (from: string, to: string, tlsVerify: boolean): string =>
  `[[registry]]\nlocation = ${JSON.stringify(from)}\n[[registry.mirror]]\nlocation = ${JSON.stringify(to)}\ninsecure = ${String(!tlsVerify)}\n`;

/**
 * Builds a program's image (buildProgramImage) and pushes it to each of `refs` (tags of one image); returns its
 * index digest. publish and verify --rebuild both build through here.
 */
export async function buildAndPushImage(b: ProgramImage, refs: readonly string[]): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'hat-image-conf-'));
  try {
    let bases = new Map<string, string>();
    let registriesConf: string | undefined;
    if (b.recipe.base) {
      const source = b.baseSource ?? b.recipe.base;
      bases = await platformBases(await b.session(parseImageRef(source).registry), source, b.platforms);
      const [named, pulled] = [repositoryOf(b.recipe.base), repositoryOf(source)];
      if (named !== pulled) {
        const sourceRepo = source.slice(0, source.lastIndexOf('@'));
        const namedRepo = b.recipe.base.slice(0, b.recipe.base.lastIndexOf('@'));
        bases = new Map([...bases].map(([platform, ref]) => [platform, namedRepo + ref.slice(sourceRepo.length)]));
        registriesConf = path.join(scratch, 'registries.conf');
        await writeFile(registriesConf, mirrorConf(named, pulled, b.tlsVerify));
      }
    }
    const list = await buildProgramImage({ ...b, bases, registriesConf });
    try {
      let digest: string | undefined;
      for (const ref of refs) {
        const pushed = await pushImage(list, ref, b);
        if (digest && digest !== pushed) throw new HatError(`image of ${b.program} pushed twice with different digests (${digest}, ${pushed})`);
        digest = pushed;
      }
      if (!digest) throw new HatError(`image of ${b.program}: nowhere to push it`);
      return digest;
    } finally {
      await removeImageList(list, b.storage);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
