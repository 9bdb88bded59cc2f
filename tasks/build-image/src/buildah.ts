import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '@hat/task-runtime';
import { classifyBuild, classifyPush } from './buildah-errors.ts';

/** Where one run keeps its image store: a fresh dir per run, so concurrent runs never share state. */
export interface Store {
  readonly dir: string;
  readonly authfile: string;
  readonly tlsVerify: boolean;
  readonly signal?: AbortSignal;
}

const BUILD_TIMEOUT_MS = 60 * 60_000;
const PUSH_TIMEOUT_MS = 30 * 60_000;

const storeArgs = (store: Store): string[] => ['--root', path.join(store.dir, 'root'), '--runroot', path.join(store.dir, 'runroot'), '--storage-driver', 'vfs'];
// buildah writes layer tarballs to TMPDIR (default /var/tmp): keep them in the run's dir, removed with it.
const env = (store: Store): Record<string, string> => ({ TMPDIR: path.join(store.dir, 'tmp'), BUILDAH_ISOLATION: 'chroot' });

export interface BuildOptions {
  readonly contextDir: string;
  readonly containerfile: string;
  /** Shown in errors: the Containerfile relative to the source workspace. */
  readonly shown: string;
  readonly name: string;
  readonly buildArgs: ReadonlyArray<readonly [string, string]>;
  readonly target: string | undefined;
  /** Each line buildah prints while building (steps, RUN output), as it comes. */
  readonly onLine?: (line: string) => void;
}

/**
 * The build arguments for a reproducible image: `--timestamp 0` (created time, history times and file times in the
 * layer), OCI format (the docker format stores a random container id and hostname in the config: measured, two
 * builds of the same source differ), no buildah version label, one layer for the whole build (`--layers=false`).
 */
export function budArgs(store: Store, opts: BuildOptions, iidfile: string): string[] {
  return [
    ...storeArgs(store),
    'bud',
    '--isolation', 'chroot',
    '--timestamp', '0',
    '--format', 'oci',
    '--identity-label=false',
    '--layers=false',
    `--tls-verify=${store.tlsVerify}`,
    '--authfile', store.authfile,
    '--retry', '3',
    '--iidfile', iidfile,
    '--file', opts.containerfile,
    '--tag', opts.name,
    ...opts.buildArgs.flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    ...(opts.target ? ['--target', opts.target] : []),
    opts.contextDir,
  ];
}

/** Builds the image; returns its local image id. */
export async function build(store: Store, opts: BuildOptions): Promise<string> {
  const iidfile = path.join(store.dir, 'iid');
  try {
    await run('buildah', budArgs(store, opts, iidfile), {
      cwd: opts.contextDir,
      env: env(store),
      timeoutMs: BUILD_TIMEOUT_MS,
      ...(store.signal ? { signal: store.signal } : {}),
      ...(opts.onLine ? { onLine: opts.onLine } : {}),
    });
  } catch (err) {
    throw classifyBuild(err, opts.shown);
  }
  return (await readFile(iidfile, 'utf8')).trim();
}

/** Pushes the local image to `docker://<destination>`; returns the manifest digest buildah wrote. */
export async function push(store: Store, imageId: string, destination: string, registry: string): Promise<string> {
  const digestfile = path.join(store.dir, 'digest');
  const args = [...storeArgs(store), 'push', '--quiet', `--tls-verify=${store.tlsVerify}`, '--authfile', store.authfile, '--retry', '2', '--retry-delay', '2s', '--digestfile', digestfile, imageId, `docker://${destination}`];
  try {
    await run('buildah', args, { env: env(store), timeoutMs: PUSH_TIMEOUT_MS, ...(store.signal ? { signal: store.signal } : {}) });
  } catch (err) {
    throw classifyPush(err, destination, registry);
  }
  return (await readFile(digestfile, 'utf8')).trim();
}

/** Removes the run's images through buildah (files in vfs layers can be read-only even for root without CAP_DAC_OVERRIDE). */
export async function removeAll(store: Store): Promise<void> {
  await run('buildah', [...storeArgs(store), 'rmi', '--all', '--force'], { env: env(store), timeoutMs: 120_000 });
}
