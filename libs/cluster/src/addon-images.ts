// The images of the cluster's add-ons (Tekton Pipelines, Triggers, Argo CD and its redis), built here without a
// registry: each is the `cluster` base of @hat/image (Debian minbase + git, tini, ssh, redis-server) plus its
// binaries, laid out the way the upstream manifests expect (Tekton's at /ko-app/<name>, Argo CD's in
// /usr/local/bin). buildah builds them in one private store and pushes them into one OCI layout, so the base layer
// is stored once; the layout is packed into one archive, cached per user by every input, and imported into
// containerd's k8s.io namespace in one go. Tags carry the input key, so a rebuild never shadows an older image.
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BASE_VARIANTS, cachedEntry, ensureBase, inputKey, sha256File, userCacheDir, type BaseImage } from '@hat/image';
import { run, type Logger } from '@hat/task-runtime';
import { toolsBin } from '@hat/task-runner';
import type { ClusterBinaries } from './ensure.ts';
import { ARGOCD_VERSION, TEKTON_PIPELINE_VERSION, TEKTON_TRIGGERS_VERSION } from './versions.ts';

/** Bump when the layout of the images changes: part of the cache key. */
const RECIPE_REVISION = 2;

export interface AddonImageSpec {
  /** Repository under localhost/hat/, e.g. tekton-pipelines-controller. */
  readonly name: string;
  /** Upstream version, first in the tag (`hat install` reads Argo CD's version from its image tag, as upstream's). */
  readonly version?: string;
  /** Files: path in the image → file on this machine (executables). */
  readonly files: Readonly<Record<string, string>>;
  /** Symlinks: path in the image → target. */
  readonly links?: Readonly<Record<string, string>>;
  readonly entrypoint: readonly string[];
  readonly user?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Empty folders owned by the image's user (e.g. a home). */
  readonly dirs?: readonly string[];
}

export interface AddonImages {
  /** Image reference per spec name, plus `shell` (the base itself: /bin/sh for Tekton's script steps). */
  readonly refs: Readonly<Record<string, string>>;
  readonly archive: string;
  readonly built: boolean;
}

/** What each add-on needs, from the built binaries. */
export function addonImageSpecs(bins: ClusterBinaries): AddonImageSpec[] {
  const specs: AddonImageSpec[] = [];
  for (const component of ['tekton-pipelines', 'tekton-triggers'] as const) {
    for (const [name, file] of Object.entries(bins[component]?.binaries ?? {})) {
      specs.push({
        name: `${component}-${name}`,
        version: component === 'tekton-pipelines' ? TEKTON_PIPELINE_VERSION : TEKTON_TRIGGERS_VERSION,
        files: { [`/ko-app/${name}`]: file },
        // Tekton's resolvers Deployment runs /sbin/tini (upstream's base has it there; Debian's is /usr/bin/tini).
        ...(name === 'resolvers' ? { links: { '/usr/sbin/tini': '/usr/bin/tini' } } : {}),
        entrypoint: [`/ko-app/${name}`],
      });
    }
  }
  const argocd = bins.argocd;
  if (argocd) {
    const links: Record<string, string> = {};
    for (const role of Object.keys(argocd.binaries).filter((n) => n !== 'argocd')) links[`/usr/local/bin/${role}`] = 'argocd';
    specs.push({
      name: 'argocd',
      version: ARGOCD_VERSION,
      // The repo-server renders kustomize and helm sources: both on its PATH, as in upstream's image (helm is in the base).
      files: { '/usr/local/bin/argocd': argocd.binaries['argocd']!, '/usr/local/bin/kustomize': path.join(toolsBin, 'kustomize') },
      links,
      entrypoint: ['/usr/bin/tini', '--'],
      user: '999',
      env: { HOME: '/home/argocd' },
      dirs: ['/home/argocd'],
    });
    specs.push({ name: 'redis', files: {}, entrypoint: ['/usr/bin/redis-server'], user: '999' });
  }
  return specs.sort((a, b) => a.name.localeCompare(b.name));
}

const containerfile = (base: string, spec: AddonImageSpec, user: string): string => {
  const lines = [`FROM ${base}`];
  if (Object.keys(spec.files).length + Object.keys(spec.links ?? {}).length > 0) lines.push('COPY root/ /');
  for (const dir of spec.dirs ?? []) lines.push(`COPY --chown=${user}:${user} empty/ ${dir}/`);
  for (const [k, v] of Object.entries(spec.env ?? {})) lines.push(`ENV ${k}=${v}`);
  lines.push(`USER ${user}`, `ENTRYPOINT ${JSON.stringify(spec.entrypoint)}`);
  return `${lines.join('\n')}\n`;
};

async function context(dir: string, spec: AddonImageSpec): Promise<void> {
  await mkdir(path.join(dir, 'root'), { recursive: true });
  await mkdir(path.join(dir, 'empty'), { recursive: true });
  for (const [to, from] of Object.entries(spec.files)) {
    await mkdir(path.join(dir, 'root', path.dirname(to)), { recursive: true });
    await copyFile(from, path.join(dir, 'root', to));
    await chmod(path.join(dir, 'root', to), 0o755);
  }
  for (const [at, target] of Object.entries(spec.links ?? {})) {
    await mkdir(path.join(dir, 'root', path.dirname(at)), { recursive: true });
    await symlink(target, path.join(dir, 'root', at));
  }
}

/** Builds (or finds in the cache) every add-on image; returns their references and the archive holding them. */
export async function ensureAddonImages(bins: ClusterBinaries, log: Logger, cacheDir = userCacheDir()): Promise<AddonImages> {
  const base: BaseImage = await ensureBase(BASE_VARIANTS.cluster, { log, cacheDir });
  const specs = addonImageSpecs(bins);
  // Keyed by content, never by where the files are on this machine (each clone has its own .tools/bin).
  const hashes: Record<string, string> = {};
  for (const spec of specs) for (const file of Object.values(spec.files)) hashes[file] ??= await sha256File(file);
  const recipe = specs.map((spec) => ({ ...spec, files: Object.fromEntries(Object.entries(spec.files).map(([at, file]) => [at, hashes[file]])) }));
  const key = inputKey({ revision: RECIPE_REVISION, base: base.digest, recipe });
  const tag = key.slice(0, 16);
  const refs: Record<string, string> = { shell: `localhost/hat/cluster-base:${tag}` };
  for (const spec of specs) refs[spec.name] = `localhost/hat/${spec.name}:${spec.version ? `${spec.version}-` : ''}${tag}`;
  const entry = await cachedEntry(
    `cluster/images/addons-${tag}.oci.tar`,
    async (temp, scratch) => {
      const store = ['--storage-driver', 'vfs', '--root', path.join(scratch, 'root'), '--runroot', path.join(scratch, 'runroot')];
      const env = { TMPDIR: scratch };
      const layout = path.join(scratch, 'layout');
      const baseRef = refs['shell']!;
      await run('buildah', [...store, 'pull', '--quiet', `oci-archive:${base.archive}`], { env, timeoutMs: 10 * 60_000 }).then(async ({ stdout }) =>
        run('buildah', [...store, 'tag', stdout.trim().split('\n').pop()!, baseRef], { env }),
      );
      await run('buildah', [...store, 'push', '--quiet', '--format', 'oci', baseRef, `oci:${layout}:${baseRef}`], { env, timeoutMs: 10 * 60_000 });
      for (const spec of specs) {
        await log.time(`image ${refs[spec.name]}`, async () => {
          const dir = path.join(scratch, 'contexts', spec.name);
          await context(dir, spec);
          await writeFile(path.join(dir, 'Containerfile'), containerfile(baseRef, spec, spec.user ?? BASE_VARIANTS.cluster.user.split(':')[0]!));
          await run('buildah', [
            ...store, 'build', '--quiet', '--isolation', 'chroot', '--pull=never', '--timestamp', '0', '--format', 'oci', '--identity-label=false', '--layers=false',
            '--tag', refs[spec.name]!, '--file', path.join(dir, 'Containerfile'), dir,
          ], { env, timeoutMs: 10 * 60_000 });
          await run('buildah', [...store, 'push', '--quiet', '--format', 'oci', refs[spec.name]!, `oci:${layout}:${refs[spec.name]!}`], { env, timeoutMs: 10 * 60_000 });
          await run('buildah', [...store, 'rmi', refs[spec.name]!], { env });
        });
      }
      await run('tar', ['--create', '--file', temp, '--directory', layout, '.']);
    },
    cacheDir,
  );
  return { refs, archive: entry.path, built: entry.built };
}

/** The image names containerd's k8s.io namespace already has. */
async function podImages(containerdSocket: string): Promise<Set<string>> {
  const { stdout } = await run('ctr', ['--address', containerdSocket, '--namespace', 'k8s.io', 'images', 'list', '--quiet']);
  return new Set(stdout.split('\n').map((l) => l.trim()).filter(Boolean));
}

/** Imports the add-on images for the kubelet's pods, unless every one is there already. */
export async function importAddonImages(containerdSocket: string, images: AddonImages): Promise<boolean> {
  const have = await podImages(containerdSocket);
  if (Object.values(images.refs).every((ref) => have.has(ref))) return false;
  await run('ctr', ['--address', containerdSocket, '--namespace', 'k8s.io', 'images', 'import', '--all-platforms', images.archive], { timeoutMs: 10 * 60_000 });
  const after = await podImages(containerdSocket);
  const missing = Object.values(images.refs).filter((ref) => !after.has(ref));
  if (missing.length > 0) throw new Error(`importing ${images.archive} left out ${missing.join(', ')}`);
  return true;
}

