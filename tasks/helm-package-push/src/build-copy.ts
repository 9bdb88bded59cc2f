import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isGitopsError, setScalars, type ScalarEdit } from '@hat/gitops';
import { InvalidChartError, isDirectory, readChartFile, type ChartFile } from '@hat/helm';
import { InputError } from '@hat/task-runtime';
import { parse } from 'yaml';

/** A path inside the workspace, or an InputError naming the param. */
export function insideWorkspace(root: string, relative: string, what: string): string {
  const full = path.resolve(root, relative);
  const rel = path.relative(root, full);
  if (path.isAbsolute(relative) || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new InputError(`${what} ${JSON.stringify(relative)} is outside the source workspace`);
  }
  return full;
}

export interface BuildCopy {
  /** The chart directory in the build copy. */
  readonly chartDir: string;
  /** Chart.yaml as read from the source (before stamping). */
  readonly chart: ChartFile;
}

/**
 * Copies the chart into `buildRoot` at the same relative path it has in the workspace, together with
 * the local (file://) dependencies it names, so relative dependency paths keep working.
 */
export async function copyChart(source: string, chartPath: string, buildRoot: string): Promise<BuildCopy> {
  const chartDir = insideWorkspace(source, chartPath, 'chart path');
  if (!(await isDirectory(chartDir))) throw new InputError(`chart path ${JSON.stringify(chartPath)} not found in the source workspace`);
  const chart = await readChartFile(chartDir);
  const target = path.join(buildRoot, path.relative(source, chartDir));
  await cp(chartDir, target, { recursive: true });
  for (const dep of chart.dependencies) {
    if (!dep.repository?.startsWith('file://')) continue;
    const local = dep.repository.slice('file://'.length);
    const depDir = path.resolve(chartDir, local);
    const rel = path.relative(source, depDir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new InputError(`dependency ${dep.name} (${dep.repository}) is outside the source workspace`);
    if (!(await isDirectory(depDir))) throw new InputError(`dependency ${dep.name}: ${dep.repository} not found`);
    await cp(depDir, path.join(buildRoot, rel), { recursive: true, force: false, errorOnExist: false });
  }
  return { chartDir: target, chart };
}

export interface StampOptions {
  readonly version: string;
  readonly imageRepository: string | undefined;
}

/**
 * Sets Chart.yaml version and appVersion, and in values.yaml image.repository (when given) and
 * image.tag (when a repository is given or values.yaml already has image.tag); only those scalars change.
 * Returns the values keys it set.
 */
export async function stampChart(chartDir: string, opts: StampOptions): Promise<string[]> {
  const chartFile = path.join(chartDir, 'Chart.yaml');
  const chartText = await readFile(chartFile, 'utf8');
  await writeFile(
    chartFile,
    stamp('Chart.yaml', chartText, [
      { path: ['version'], value: opts.version },
      { path: ['appVersion'], value: opts.version },
    ]),
  );
  const valuesFile = path.join(chartDir, 'values.yaml');
  const valuesText = await readFile(valuesFile, 'utf8').catch(() => undefined);
  const hasTag = valuesText !== undefined && hasImageTag(valuesText);
  const edits = [
    ...(opts.imageRepository !== undefined ? [{ path: ['image', 'repository'], value: opts.imageRepository }] : []),
    ...(opts.imageRepository !== undefined || hasTag ? [{ path: ['image', 'tag'], value: opts.version }] : []),
  ];
  if (edits.length > 0) await writeFile(valuesFile, stamp('values.yaml', valuesText ?? '', edits));
  return edits.map((e) => e.path.join('.'));
}

/** The byte-exact edit of libs/gitops; a file it cannot edit is an invalid chart (bad input). */
function stamp(file: string, text: string, edits: readonly ScalarEdit[]): string {
  try {
    return setScalars(file, text, edits);
  } catch (err) {
    if (isGitopsError(err)) throw new InvalidChartError(`invalid ${err.message}`);
    throw err;
  }
}

/** True when values.yaml has an `image` mapping with a `tag` key (the shape `helm create` charts use). */
function hasImageTag(text: string): boolean {
  let values: unknown;
  try {
    values = parse(text);
  } catch {
    return false; // invalid YAML: helm lint reports it
  }
  const image = (values as { image?: unknown } | null)?.image;
  return typeof image === 'object' && image !== null && !Array.isArray(image) && 'tag' in image;
}
