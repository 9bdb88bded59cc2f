import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { InvalidChartError } from './errors.ts';

export interface ChartDependency {
  readonly name: string;
  readonly version?: string;
  readonly repository?: string;
}

/** What HAT reads from a chart's Chart.yaml. */
export interface ChartFile {
  readonly path: string;
  readonly text: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly version: string | undefined;
  readonly appVersion: string | undefined;
  /** Chart.yaml `dependencies` (apiVersion v2) or requirements.yaml (v1). */
  readonly dependencies: readonly ChartDependency[];
}

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

function dependenciesOf(value: unknown, file: string): ChartDependency[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidChartError(`invalid ${file}: dependencies is not a list`);
  return value.map((d: unknown, i) => {
    const dep = d as Record<string, unknown> | null;
    if (typeof dep !== 'object' || dep === null || typeof dep['name'] !== 'string') throw new InvalidChartError(`invalid ${file}: dependencies[${i}] has no name`);
    const version = str(dep['version']);
    const repository = str(dep['repository']);
    return { name: dep['name'], ...(version !== undefined ? { version } : {}), ...(repository !== undefined ? { repository } : {}) };
  });
}

function parseYamlObject(text: string, file: string): Record<string, unknown> {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) throw new InvalidChartError(`invalid ${file}: ${problem.message.split('\n')[0]}`);
  const value: unknown = doc.toJS();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidChartError(`invalid ${file}: not a YAML mapping`);
  return value as Record<string, unknown>;
}

/** Reads and checks `<chartDir>/Chart.yaml`: a mapping with apiVersion and a chart name helm accepts. */
export async function readChartFile(chartDir: string): Promise<ChartFile> {
  const file = path.join(chartDir, 'Chart.yaml');
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new InvalidChartError(err.code === 'ENOENT' ? `no Chart.yaml in ${chartDir}` : `cannot read ${file}: ${err.message}`);
  });
  const shown = 'Chart.yaml';
  const meta = parseYamlObject(text, shown);
  const apiVersion = str(meta['apiVersion']);
  const name = str(meta['name']);
  if (apiVersion !== 'v1' && apiVersion !== 'v2') throw new InvalidChartError(`invalid ${shown}: apiVersion must be v2 (or v1), got ${JSON.stringify(apiVersion ?? null)}`);
  if (!name || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new InvalidChartError(`invalid ${shown}: name must be letters, digits, ".", "_" or "-", got ${JSON.stringify(name ?? null)}`);
  let dependencies = dependenciesOf(meta['dependencies'], shown);
  if (apiVersion === 'v1') {
    const requirements = await readFile(path.join(chartDir, 'requirements.yaml'), 'utf8').catch(() => undefined);
    if (requirements !== undefined) dependencies = dependenciesOf(parseYamlObject(requirements, 'requirements.yaml')['dependencies'], 'requirements.yaml');
  }
  return { path: file, text, apiVersion, name, version: str(meta['version']), appVersion: str(meta['appVersion']), dependencies };
}

/** True when dir exists and is a directory. */
export async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then((s) => s.isDirectory(), () => false);
}
