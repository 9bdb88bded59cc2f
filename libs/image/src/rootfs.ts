// The base root file system: Debian minbase from debootstrap plus the variant's packages, node and helm, the task
// user; normalised so the same inputs give the same bytes (no logs, caches, host files or dates), and packed as a
// reproducible tar (sorted, numeric owners, fixed times). Cached per user, keyed by every input.
import { chmod, chown, copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HatError, InputError, run, type Logger } from '@hat/task-runtime';
import type { Pins } from './pins.ts';
import { cachedEntry, inputKey, sha256File } from './user-cache.ts';
import { TASK_UID, type BaseVariant } from './variants.ts';

/** Bump when the normalisation below changes: it is part of the cache key. */
const RECIPE_REVISION = 1;

export interface RootfsInputs {
  readonly variant: BaseVariant;
  readonly pins: Pins;
  /** Where debootstrap fetches from (debianMirror(): apt's own source on this machine). */
  readonly mirror: string;
  readonly nodeBinary: string;
  readonly helmBinary: string;
}

export interface Rootfs {
  readonly tar: string;
  /** sha256 of the tar. */
  readonly digest: string;
  readonly key: string;
  readonly built: boolean;
}

/** Files that differ per build or leak the building host, and package-manager state nobody needs at run time. */
const REMOVE = [
  'etc/hostname',
  'etc/resolv.conf',
  'etc/machine-id',
  'var/cache/ldconfig/aux-cache',
  'var/lib/dpkg/available-old',
  'var/lib/dpkg/status-old',
  'var/cache/debconf/config.dat-old',
  'var/cache/debconf/templates.dat-old',
  'etc/passwd-',
  'etc/group-',
  'etc/shadow-',
  'etc/gshadow-',
  'usr/share/man',
  'usr/share/info',
  'usr/share/locale',
];
/** Emptied, kept as folders (dev: the runtime mounts its own /dev; debootstrap's device nodes do not belong in an image). */
const EMPTY = ['dev', 'var/log', 'var/cache/apt', 'var/lib/apt/lists', 'tmp', 'var/tmp'];

async function emptyDir(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [])) await rm(path.join(dir, name), { recursive: true, force: true });
}

/** /etc/shadow and /etc/gshadow: the "last changed" day is the build day; clear it. */
const clearShadowDates = (text: string): string =>
  text
    .split('\n')
    .map((line) => {
      const f = line.split(':');
      if (f.length < 3) return line;
      f[2] = '';
      return f.join(':');
    })
    .join('\n');

async function normalise(root: string): Promise<void> {
  for (const p of REMOVE) await rm(path.join(root, p), { recursive: true, force: true });
  for (const p of EMPTY) {
    await mkdir(path.join(root, p), { recursive: true });
    await emptyDir(path.join(root, p));
  }
  await chmod(path.join(root, 'tmp'), 0o1777);
  await chmod(path.join(root, 'var/tmp'), 0o1777);
  // Docs: keep each package's copyright (licences), drop the rest.
  const docs = path.join(root, 'usr/share/doc');
  for (const pkg of await readdir(docs).catch(() => [])) {
    for (const name of await readdir(path.join(docs, pkg)).catch(() => [])) {
      if (name !== 'copyright') await rm(path.join(docs, pkg, name), { recursive: true, force: true });
    }
  }
  const shadow = path.join(root, 'etc/shadow');
  await writeFile(shadow, clearShadowDates(await readFile(shadow, 'utf8')));
}

async function addTaskUser(root: string): Promise<void> {
  const append = async (file: string, line: string): Promise<void> => {
    const text = await readFile(path.join(root, file), 'utf8');
    if (!text.split('\n').some((l) => l.startsWith(`${line.split(':')[0]}:`))) await writeFile(path.join(root, file), `${text}${line}\n`);
  };
  await append('etc/passwd', `hat:x:${TASK_UID}:${TASK_UID}:HAT task:/home/hat:/usr/sbin/nologin`);
  await append('etc/group', `hat:x:${TASK_UID}:`);
  await append('etc/shadow', 'hat:!*::::::');
  await mkdir(path.join(root, 'home/hat'), { recursive: true, mode: 0o755 });
  await chown(path.join(root, 'home/hat'), TASK_UID, TASK_UID);
  await mkdir(path.join(root, 'opt/hat'), { recursive: true, mode: 0o755 });
}

async function addBinary(root: string, from: string, to: string): Promise<void> {
  await copyFile(from, path.join(root, to));
  await chmod(path.join(root, to), 0o755);
}

/** apt-get in the new root (chroot), the way a Dockerfile's RUN would: no recommends, non-interactive. */
async function aptInstall(root: string, packages: readonly string[]): Promise<void> {
  const env = { DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
  await run('chroot', [root, 'apt-get', 'update', '-qq'], { env, timeoutMs: 10 * 60_000 });
  await run('chroot', [root, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages], { env, timeoutMs: 20 * 60_000 });
  await run('chroot', [root, 'apt-get', 'clean'], { env });
}

/** The cache key and everything it covers. */
export async function rootfsKey(inputs: RootfsInputs): Promise<string> {
  return inputKey({
    revision: RECIPE_REVISION,
    suite: inputs.pins.debianSuite,
    mirror: inputs.mirror,
    packages: inputs.variant.packages,
    extraPackages: inputs.variant.extraPackages,
    node: await sha256File(inputs.nodeBinary),
    helm: await sha256File(inputs.helmBinary),
    uid: TASK_UID,
  });
}

/** Packs a folder as a reproducible tar: sorted names, numeric owners, mtime 0, no atime/ctime. */
export async function reproducibleTar(dir: string, out: string): Promise<void> {
  await run('tar', [
    '--create',
    '--file', out,
    '--directory', dir,
    '--sort=name',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '--mtime=@0',
    '--numeric-owner',
    '.',
  ]);
}

/** Builds (or finds in the cache) the variant's root file system tar. A fresh build: pass an empty cacheDir. */
export async function ensureRootfs(inputs: RootfsInputs, log: Logger, opts: { cacheDir?: string } = {}): Promise<Rootfs> {
  if (process.getuid?.() !== 0) throw new InputError('building the base root file system needs root (debootstrap, chown)');
  const key = await rootfsKey(inputs);
  const name = `rootfs/${inputs.variant.name}-${key}.tar`;
  const entry = await cachedEntry(
    name,
    async (temp, scratch) => {
      const root = path.join(scratch, 'root');
      const { variant, pins, mirror } = inputs;
      await log.time(`debootstrap ${pins.debianSuite} minbase + ${variant.packages.join(',')}`, () =>
        run('debootstrap', ['--variant=minbase', `--include=${variant.packages.join(',')}`, pins.debianSuite, root, mirror], {
          timeoutMs: 30 * 60_000,
        }).catch((err: unknown) => {
          throw new HatError(`debootstrap ${pins.debianSuite} from ${mirror} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, { cause: err });
        }),
      );
      if (variant.extraPackages.length > 0) {
        await log.time(`apt-get install ${variant.extraPackages.join(' ')}`, () => aptInstall(root, variant.extraPackages));
      }
      await normalise(root);
      await addBinary(root, inputs.nodeBinary, 'usr/local/bin/node');
      await addBinary(root, inputs.helmBinary, 'usr/local/bin/helm');
      await addTaskUser(root);
      await log.time(`packed the ${variant.name} root file system`, () => reproducibleTar(root, temp));
    },
    opts.cacheDir,
  );
  return { tar: entry.path, digest: await sha256File(entry.path), key, built: entry.built };
}
