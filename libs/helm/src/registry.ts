import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { registerSecret } from '@hat/task-runtime';
import { parse } from 'yaml';
import { HelmError, InvalidChartError } from './errors.ts';
import { execHelm, type HelmOptions } from './exec.ts';
import { plainHttpFlag, type RegistryFlags } from './flags.ts';

export type RegistryOptions = HelmOptions & RegistryFlags;

export interface LoginOptions extends RegistryOptions {
  readonly username: string;
  readonly password: string;
}

/**
 * `helm registry login host --password-stdin`: the password goes through stdin (never argv) into the
 * home's registry config, and is registered as a secret so no log shows it.
 */
export async function registryLogin(host: string, opts: LoginOptions): Promise<void> {
  registerSecret(opts.password);
  registerSecret(Buffer.from(`${opts.username}:${opts.password}`).toString('base64'));
  await execHelm(['registry', 'login', host, '--username', opts.username, '--password-stdin', ...plainHttpFlag(opts)], {
    ...opts,
    input: opts.password,
    what: `helm registry login to ${host}`,
    classify: true,
  });
}

export interface PushResult {
  /** `host/path/name:tag` as helm reports it. */
  readonly ref: string;
  /** Manifest digest, `sha256:…`. */
  readonly digest: string;
}

const digestOf = (text: string): string | undefined => /^Digest:\s*(sha256:[0-9a-f]{64})\s*$/m.exec(text)?.[1];

/**
 * `helm push archive oci://host/path`. Note: helm overwrites an existing tag without asking (helm#9985);
 * callers that want immutable versions check first (see pull()).
 */
export async function push(archive: string, repositoryUrl: string, opts: RegistryOptions = {}): Promise<PushResult> {
  const out = await execHelm(['push', archive, repositoryUrl, ...plainHttpFlag(opts)], {
    ...opts,
    what: `helm push of ${path.basename(archive)} to ${repositoryUrl}`,
    classify: true,
  });
  const text = `${out.stdout}\n${out.stderr}`;
  const ref = /^Pushed:\s*(\S+)\s*$/m.exec(text)?.[1];
  const digest = digestOf(text);
  if (ref === undefined || digest === undefined) throw new HelmError(`helm push to ${repositoryUrl}: no Pushed/Digest lines in its output`, 'helm push', 0, text);
  return { ref, digest };
}

export interface PullOptions extends RegistryOptions {
  readonly version: string;
  /** Directory the .tgz goes to (created if missing). */
  readonly destination: string;
}

export interface PullResult {
  readonly path: string;
  /** Manifest digest for OCI charts; undefined for classic repositories. */
  readonly digest: string | undefined;
}

/** `helm pull oci://host/path/name --version v`; a missing chart or version throws HelmNotFoundError. */
export async function pull(chartRef: string, opts: PullOptions): Promise<PullResult> {
  await mkdir(opts.destination, { recursive: true });
  // Pull into an empty dir of our own so the archive's name needs no guessing.
  const scratch = await mkdtemp(path.join(opts.destination, '.pull-'));
  try {
    const out = await execHelm(['pull', chartRef, '--version', opts.version, '--destination', scratch, ...plainHttpFlag(opts)], {
      ...opts,
      what: `helm pull of ${chartRef}:${opts.version}`,
      classify: true,
    });
    const [file] = (await readdir(scratch)).filter((f) => f.endsWith('.tgz'));
    if (file === undefined) throw new HelmError(`helm pull of ${chartRef}:${opts.version} wrote no archive`, 'helm pull', 0, out.stderr);
    const target = path.join(opts.destination, file);
    await rename(path.join(scratch, file), target);
    return { path: target, digest: digestOf(`${out.stdout}\n${out.stderr}`) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Chart.yaml fields as helm reports them (`helm show chart`); other fields are kept as parsed. */
export interface ChartMetadata {
  readonly apiVersion: string;
  readonly name: string;
  readonly version: string;
  readonly appVersion?: string;
  readonly [key: string]: unknown;
}

export interface ShowChartOptions extends RegistryOptions {
  readonly version?: string;
}

/** `helm show chart <ref>`: the chart's metadata (ref: `oci://…/name`, a directory or an archive). */
export async function showChart(chartRef: string, opts: ShowChartOptions = {}): Promise<ChartMetadata> {
  const args = ['show', 'chart', chartRef, ...(opts.version !== undefined ? ['--version', opts.version] : []), ...plainHttpFlag(opts)];
  const out = await execHelm(args, { ...opts, what: `helm show chart ${chartRef}${opts.version ? `:${opts.version}` : ''}`, classify: chartRef.startsWith('oci://') });
  const meta: unknown = parse(out.stdout);
  if (typeof meta !== 'object' || meta === null || typeof (meta as { name?: unknown }).name !== 'string') {
    throw new InvalidChartError(`helm show chart ${chartRef}: no chart metadata in its output`);
  }
  const m = meta as Record<string, unknown>;
  return {
    ...m,
    apiVersion: String(m['apiVersion'] ?? ''),
    name: String(m['name']),
    version: String(m['version'] ?? ''),
    ...(m['appVersion'] !== undefined ? { appVersion: String(m['appVersion']) } : {}),
  } as ChartMetadata;
}
