// Builds one component into the cache: download the upstream module, write the wrapper module (in the entry's
// private scratch folder, never in the repo), `go mod tidy`, one `go build` for all its commands, copy the
// upstream release manifests, check every binary's version, then rename the entry into place.
import { chmod, copyFile, cp, lstat, mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { userCacheDir } from '@hat/image';
import { HatError, type Logger } from '@hat/task-runtime';
import { cachedEntry, exists } from '@hat/image';
import { clusterCacheDir } from './cache-entry.ts';
import { withBuildLock } from './build-lock.ts';
import { childCpuSeconds } from './cpu-time.ts';
import type { ComponentName, ComponentSpec } from './components.ts';
import { COMPONENT_SPECS } from './components.ts';
import { go, goVersion } from './go-env.ts';
import { downloadModule } from './go-module.ts';
import { verifyBinary } from './verify.ts';
import { RECIPE_REVISION } from './versions.ts';
import { writeWrapperModule } from './wrapper-module.ts';

export interface ComponentBuild {
  readonly component: ComponentName;
  readonly version: string;
  /** The cache entry: binaries at its top, upstream folders (config/, manifests/) beside them. */
  readonly dir: string;
  /** Binary name → absolute path (links of multi-call binaries included). */
  readonly binaries: Readonly<Record<string, string>>;
  /** Upstream folder name → absolute path (tekton config/, argocd manifests/). */
  readonly assets: Readonly<Record<string, string>>;
  /** Whether this call built the entry (false: it was cached). */
  readonly built: boolean;
  /** Seconds this call spent (build, or cache lookup and checks). */
  readonly seconds: number;
  /** Seconds the build of this entry took when it was made (from its build.json). */
  readonly buildSeconds: number;
  /** CPU seconds (user + system) of that build, where measured (Linux). */
  readonly buildCpuSeconds?: number;
  /** Bytes of the entry on disk (files, links not followed). */
  readonly bytes: number;
  /** Go toolchain that built it. */
  readonly go: string;
}

export interface ComponentOptions {
  readonly log: Logger;
  readonly cacheDir?: string;
  /** Re-run the version checks on a cached entry too (a fresh build is always checked). */
  readonly verify?: boolean;
}

interface BuildRecord {
  readonly component: ComponentName;
  readonly version: string;
  readonly go: string;
  readonly recipe: number;
  readonly binaries: readonly string[];
  readonly ldflags: string;
  readonly buildSeconds: number;
  readonly cpuSeconds?: number;
  readonly versions: Readonly<Record<string, string>>;
}

const BUILD_RECORD = 'build.json';

/** The cache entry's name: component, version, toolchain and recipe revision all change the bytes. */
export const entryName = (spec: ComponentSpec, go: string): string => `${spec.name}-${spec.version}-${go}-r${RECIPE_REVISION}`;

/** The file name `go build -o dir/` gives a command (cmd/go's DefaultExecName: a /vN suffix is skipped). */
export function defaultExecName(importPath: string): string {
  const parts = importPath.split('/');
  const last = parts.at(-1)!;
  return parts.length > 1 && /^v[2-9][0-9]*$/.test(last) ? parts.at(-2)! : last;
}

export function ldflags(stamps: Readonly<Record<string, string>>): string {
  return ['-s', '-w', ...Object.entries(stamps).map(([key, value]) => `-X ${key}=${value}`)].join(' ');
}

export async function diskBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await diskBytes(file);
    else total += (await lstat(file)).size;
  }
  return total;
}

/** Module-cache files are read-only: copies are made writable so the cache entry can be deleted normally. */
async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(file);
    else if (entry.isFile()) await chmod(file, 0o644);
  }
}

const minutes = (ms: number): string => `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;

async function buildInto(spec: ComponentSpec, entry: string, scratch: string, goVer: string, log: Logger): Promise<void> {
  const started = performance.now();
  const cpuBefore = childCpuSeconds();
  const work = path.join(scratch, 'module');
  await mkdir(work, { recursive: true });
  const upstream = await log.time(`${spec.name}: downloaded ${spec.module}@${spec.version}`, () => downloadModule(spec.module, spec.version, work));
  const wrapper = spec.wrapper(upstream);
  await writeWrapperModule(work, wrapper);
  await log.time(`${spec.name}: go mod tidy (${wrapper.require.map((r) => `${r.path}@${r.version}`).join(', ')}, ${wrapper.replace.length} replaces)`, () => go(['mod', 'tidy'], { cwd: work }));

  const out = path.join(scratch, 'out');
  await mkdir(out, { recursive: true });
  const flags = ldflags(spec.stamps(upstream));
  const pkgs = [...new Set(spec.binaries.map((b) => b.pkg))];
  let compiled = 0;
  const heartbeat = setInterval(() => log.info(`${spec.name}: still building, ${minutes(performance.now() - started)} elapsed, ${compiled} packages compiled so far`), 60_000);
  try {
    await log.time(`${spec.name}: go build ${spec.binaries.map((b) => b.name).join(' ')}`, () =>
      go(['build', '-v', '-trimpath', '-ldflags', flags, '-o', `${out}/`, ...pkgs], {
        cwd: work,
        onLine: (line) => {
          if (!line.startsWith('go: ') && line.trim()) compiled += 1;
        },
      }),
    );
  } finally {
    clearInterval(heartbeat);
  }

  await mkdir(entry, { recursive: true });
  for (const binary of spec.binaries) {
    const built = path.join(out, binary.pkg === '.' ? defaultExecName(wrapper.module) : defaultExecName(binary.pkg));
    if (!(await exists(built))) throw new HatError(`${spec.name}: go build made no ${path.basename(built)} (for ${binary.name})`);
    await rename(built, path.join(entry, binary.name));
  }
  const versions: Record<string, string> = {};
  for (const binary of spec.binaries) {
    versions[binary.name] = await verifyBinary(path.join(entry, binary.name), binary, spec.version);
    log.info(`${spec.name}: ${binary.name}: ${versions[binary.name]}`);
  }
  for (const [link, target] of Object.entries(spec.links ?? {})) await symlink(target, path.join(entry, link));
  for (const asset of spec.assets ?? []) {
    const from = path.join(upstream.dir, asset);
    if (!(await exists(from))) throw new HatError(`${spec.module}@${spec.version} has no ${asset}/`);
    await cp(from, path.join(entry, asset), { recursive: true });
    await makeWritable(path.join(entry, asset));
  }
  // The wrapper module's go.mod and go.sum: exactly which dependency versions went into the binaries.
  await mkdir(path.join(entry, 'wrapper'));
  for (const file of ['go.mod', 'go.sum']) await copyFile(path.join(work, file), path.join(entry, 'wrapper', file));
  const record: BuildRecord = {
    component: spec.name,
    version: spec.version,
    go: goVer,
    recipe: RECIPE_REVISION,
    binaries: spec.binaries.map((b) => b.name),
    ldflags: flags,
    buildSeconds: Math.round((performance.now() - started) / 100) / 10,
    ...(cpuBefore !== undefined ? { cpuSeconds: Math.round((childCpuSeconds()! - cpuBefore) * 10) / 10 } : {}),
    versions,
  };
  await writeFile(path.join(entry, BUILD_RECORD), `${JSON.stringify(record, null, 2)}\n`);
}

/** Where a component's build lives in the per-user cache (the bin dir, and its entry's name there). */
export const componentEntry = (name: ComponentName, go: string, cacheDir = userCacheDir()): { readonly binDir: string; readonly entryFile: string } => ({
  binDir: path.join(clusterCacheDir(cacheDir), 'bin'),
  entryFile: entryName(COMPONENT_SPECS[name], go),
});

export async function ensureComponent(name: ComponentName, opts: ComponentOptions): Promise<ComponentBuild> {
  const { log } = opts;
  const spec = COMPONENT_SPECS[name];
  const started = performance.now();
  const goVer = await goVersion();
  const { binDir, entryFile } = componentEntry(name, goVer, opts.cacheDir);
  const cached = await exists(path.join(binDir, entryFile));
  if (!cached) log.info(`${spec.name} ${spec.version}: not cached, building with ${goVer} (cold: minutes; output in ${path.join(binDir, entryFile)})`);
  const build = () => cachedEntry(entryFile, (temp, scratch) => buildInto(spec, temp, scratch, goVer, log), binDir);
  // Not cached: one builder at a time (a background prebuild may be on it already; then this waits for its result).
  if (!cached) await mkdir(binDir, { recursive: true });
  const entry = cached ? await build() : await withBuildLock(binDir, entryFile, log, build);
  if (!entry.built && opts.verify) {
    for (const binary of spec.binaries) await verifyBinary(path.join(entry.path, binary.name), binary, spec.version);
  }
  const record = JSON.parse(await readFile(path.join(entry.path, BUILD_RECORD), 'utf8')) as BuildRecord;
  const binaries: Record<string, string> = {};
  for (const binary of spec.binaries) binaries[binary.name] = path.join(entry.path, binary.name);
  for (const link of Object.keys(spec.links ?? {})) binaries[link] = path.join(entry.path, link);
  const assets: Record<string, string> = {};
  for (const asset of spec.assets ?? []) assets[asset] = path.join(entry.path, asset);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  log.info(`${spec.name} ${spec.version}: ${entry.built ? `built in ${seconds} s` : `cached${opts.verify ? ', versions checked' : ''}`} (${entry.path})`);
  return { component: name, version: spec.version, dir: entry.path, binaries, assets, built: entry.built, seconds, buildSeconds: record.buildSeconds, ...(record.cpuSeconds !== undefined ? { buildCpuSeconds: record.cpuSeconds } : {}), bytes: await diskBytes(entry.path), go: goVer };
}
