// An app in an env repo: read what is deployed, and deploy a version byte-exactly.
import { selectDependency, valuesKey } from './chart-file.ts';
import type { ChartDependency } from './chart-file.ts';
import { readLockState, updateLock } from './chart-lock.ts';
import type { LockState } from './chart-lock.ts';
import { GitopsError } from './errors.ts';
import { isHelmChartVersion, isValidOciTag, ociTagForVersion } from './names.ts';
import { imageTagTarget, IMAGE_TAG_PATH, readImageTag } from './values-file.ts';
import { planSetScalar } from './yaml-edit.ts';
import { applyEdits, parseYamlFile } from './yaml-source.ts';

/** The contents of apps/<app>/{Chart.yaml, values.yaml, Chart.lock}; `lock` only when the file exists. */
export interface AppFiles {
  chart: string;
  values: string;
  lock?: string;
}

/** Repo-relative paths, used in error messages; the app name defaults to the folder holding Chart.yaml. */
export interface AppPaths {
  chartPath: string;
  valuesPath: string;
  lockPath?: string;
  app?: string;
}

export interface AppState {
  /** The app chart's dependency in Chart.yaml, fields as Helm reads them. */
  dependency: ChartDependency;
  /** Index of that dependency in `dependencies:`. */
  dependencyIndex: number;
  /** Key of the app chart's values in values.yaml (alias, else name). */
  valuesKey: string;
  /** `<valuesKey>.image.tag` as Helm reads it; undefined when absent. */
  imageTag?: string;
  lock?: LockState;
}

export interface DeployOptions extends Partial<AppPaths> {
  /** Chart version to set (Helm's lenient SemVer: `1.4.2`, `1.10`, `1.5.0-rc.1`). */
  version: string;
  /** Image tag to set; defaults to the version with `+` written as `_` (as Helm tags OCI charts). */
  imageTag?: string;
  /** Time for Chart.lock's `generated`; defaults to now. */
  now?: Date;
}

export interface DeployResult {
  chart: string;
  values: string;
  /** Present when the input had a lock. */
  lock?: string;
  /** The dependency version before the deploy, as Helm read it. */
  previousVersion: string;
  previousImageTag?: string;
  /** False when every file came back byte-identical (the version was already deployed). */
  changed: boolean;
  changedFiles: { chart: boolean; values: boolean; lock: boolean };
  dependency: ChartDependency;
}

function resolvePaths(p: Partial<AppPaths>): Required<Omit<AppPaths, 'app'>> & { app: string | undefined } {
  const chartPath = p.chartPath ?? 'Chart.yaml';
  const dir = chartPath.includes('/') ? chartPath.slice(0, chartPath.lastIndexOf('/')) : '';
  const app = p.app ?? (dir === '' ? undefined : dir.slice(dir.lastIndexOf('/') + 1));
  const sibling = (name: string): string => (dir === '' ? name : `${dir}/${name}`);
  return { chartPath, valuesPath: p.valuesPath ?? sibling('values.yaml'), lockPath: p.lockPath ?? sibling('Chart.lock'), app };
}

/** Reads the deployed state. Throws GitopsError for malformed or ambiguous content. */
export function readAppState(files: AppFiles, paths: AppPaths): AppState {
  const p = resolvePaths(paths);
  const chart = parseYamlFile(p.chartPath, files.chart);
  const values = parseYamlFile(p.valuesPath, files.values);
  const entry = selectDependency(chart, p.app);
  const key = valuesKey(entry.dependency);
  const state: AppState = { dependency: entry.dependency, dependencyIndex: entry.index, valuesKey: key };
  const tag = readImageTag(values, key);
  if (tag !== undefined) state.imageTag = tag;
  if (files.lock !== undefined) state.lock = readLockState(parseYamlFile(p.lockPath, files.lock), chart, entry.index);
  return state;
}

/**
 * Sets the app chart's dependency version (Chart.yaml), `<alias-or-name>.image.tag` (values.yaml) and, when
 * there is a Chart.lock, the locked version, digest and `generated`. Nothing else changes, byte for byte.
 */
export function applyDeploy(files: AppFiles, opts: DeployOptions): DeployResult {
  const p = resolvePaths(opts);
  const { version } = opts;
  if (!isHelmChartVersion(version)) {
    throw new GitopsError('INVALID_VERSION', `version ${JSON.stringify(version)} is not a chart version Helm accepts (SemVer, e.g. 1.4.2)`);
  }
  const imageTag = opts.imageTag ?? ociTagForVersion(version);
  if (!isValidOciTag(imageTag)) throw new GitopsError('INVALID_VERSION', `image tag ${JSON.stringify(imageTag)} is not a valid OCI tag`);

  const chart = parseYamlFile(p.chartPath, files.chart);
  const values = parseYamlFile(p.valuesPath, files.values);
  const entry = selectDependency(chart, p.app);
  const key = valuesKey(entry.dependency);
  const previousImageTag = readImageTag(values, key);

  const chartEdit = planSetScalar({ file: chart, root: entry.node, rootName: `dependencies[${entry.index}]` }, ['version'], version).edit;
  const valuesEdit = planSetScalar(imageTagTarget(values, key), [key, ...IMAGE_TAG_PATH], imageTag).edit;
  const chartText = chartEdit === undefined ? files.chart : applyEdits(files.chart, [chartEdit]);
  const valuesText = valuesEdit === undefined ? files.values : applyEdits(files.values, [valuesEdit]);

  let lockText: string | undefined;
  if (files.lock !== undefined) {
    lockText = updateLock({
      lockBefore: parseYamlFile(p.lockPath, files.lock),
      chartBefore: chart,
      chartAfter: chartEdit === undefined ? chart : parseYamlFile(p.chartPath, chartText),
      depIndex: entry.index,
      depName: entry.dependency.name,
      version,
      now: opts.now ?? new Date(),
    });
  }
  const changedFiles = { chart: chartText !== files.chart, values: valuesText !== files.values, lock: lockText !== files.lock };
  const result: DeployResult = {
    chart: chartText,
    values: valuesText,
    previousVersion: entry.dependency.version,
    changed: changedFiles.chart || changedFiles.values || changedFiles.lock,
    changedFiles,
    dependency: { ...entry.dependency, version },
  };
  if (lockText !== undefined) result.lock = lockText;
  if (previousImageTag !== undefined) result.previousImageTag = previousImageTag;
  return result;
}
