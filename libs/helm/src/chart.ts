import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { mask, oneLine } from '@hat/task-runtime';
import { HelmError, HelmLintError } from './errors.ts';
import { execHelm, type HelmOptions } from './exec.ts';
import { plainHttpFlag, type RegistryFlags } from './flags.ts';


export interface LintOptions extends HelmOptions {
  readonly strict?: boolean;
  readonly valuesFiles?: readonly string[];
  readonly withSubcharts?: boolean;
  /** Names the chart in the failure message (default: the directory's name). */
  readonly label?: string;
}

export interface LintResult {
  /** `[INFO]`, `[WARNING]` and `[ERROR]` lines, continuation lines folded in. */
  readonly messages: readonly string[];
}

/** Lint messages from helm's report: a `[LEVEL] …` line plus its tab-indented continuation lines. */
function lintMessages(stdout: string): string[] {
  const messages: string[] = [];
  for (const line of stdout.split('\n')) {
    if (/^\[(INFO|WARNING|ERROR)\]/.test(line)) messages.push(line.trim());
    else if (/^\s+\S/.test(line) && messages.length > 0) messages[messages.length - 1] += ` ${line.trim()}`;
  }
  return messages;
}

/** `helm lint`; a failing chart throws HelmLintError whose message carries helm's [ERROR] lines. */
export async function lint(chartDir: string, opts: LintOptions = {}): Promise<LintResult> {
  const args = ['lint', chartDir, ...(opts.strict ? ['--strict'] : []), ...(opts.withSubcharts ? ['--with-subcharts'] : [])];
  for (const file of opts.valuesFiles ?? []) args.push('--values', file);
  const out = await execHelm(args, { ...opts, what: `helm lint of ${chartDir}`, allowFailure: true });
  const messages = lintMessages(mask(out.stdout));
  if (out.exitCode === 0) return { messages };
  const errors = messages.filter((m) => m.startsWith('[ERROR]'));
  if (errors.length === 0) errors.push(...messages.filter((m) => m.startsWith('[WARNING]'))); // --strict
  const shown = errors.length > 0 ? errors.slice(0, 5).join('; ') : mask(out.stderr);
  throw new HelmLintError(oneLine(`helm lint of ${opts.label ?? path.basename(chartDir)} failed: ${shown}`).slice(0, 800), messages);
}

export interface PackageOptions extends HelmOptions {
  /** Directory the .tgz goes to (created if missing). */
  readonly destination: string;
  readonly version?: string;
  readonly appVersion?: string;
}

/** `helm package`; returns the path of the chart archive. */
export async function packageChart(chartDir: string, opts: PackageOptions): Promise<{ path: string }> {
  await mkdir(opts.destination, { recursive: true });
  const args = ['package', chartDir, '--destination', opts.destination];
  if (opts.version !== undefined) args.push('--version', opts.version);
  if (opts.appVersion !== undefined) args.push('--app-version', opts.appVersion);
  const out = await execHelm(args, { ...opts, what: `helm package of ${chartDir}` });
  const saved = /saved it to:\s*(.+\.tgz)\s*$/m.exec(`${out.stdout}\n${out.stderr}`)?.[1];
  if (saved === undefined) throw new HelmError(`helm package of ${chartDir}: no archive path in its output`, 'helm package', 0, out.stdout);
  return { path: path.resolve(opts.cwd ?? '.', saved.trim()) };
}

export type DependencyBuildOptions = HelmOptions & RegistryFlags;

/** `helm dependency build`: fetches the dependencies of Chart.yaml/Chart.lock into charts/ (log in first for OCI ones). */
export async function dependencyBuild(chartDir: string, opts: DependencyBuildOptions = {}): Promise<void> {
  await execHelm(['dependency', 'build', chartDir, ...plainHttpFlag(opts)], { ...opts, what: `helm dependency build of ${chartDir}`, classify: true });
}

export interface TemplateOptions extends HelmOptions {
  readonly releaseName: string;
  readonly namespace?: string;
  readonly valuesFiles?: readonly string[];
  /** `--set-string key=value` pairs (values are never parsed as lists or numbers). */
  readonly setString?: Readonly<Record<string, string>>;
  readonly kubeVersion?: string;
  readonly apiVersions?: readonly string[];
  readonly includeCrds?: boolean;
}

/** `helm template`: the rendered manifests as one multi-document YAML string. */
export async function template(chartDir: string, opts: TemplateOptions): Promise<string> {
  const args = ['template', opts.releaseName, chartDir];
  if (opts.namespace !== undefined) args.push('--namespace', opts.namespace);
  for (const file of opts.valuesFiles ?? []) args.push('--values', file);
  for (const [key, value] of Object.entries(opts.setString ?? {})) args.push('--set-string', `${key}=${value}`);
  if (opts.kubeVersion !== undefined) args.push('--kube-version', opts.kubeVersion);
  for (const api of opts.apiVersions ?? []) args.push('--api-versions', api);
  if (opts.includeCrds) args.push('--include-crds');
  return (await execHelm(args, { ...opts, what: `helm template of ${chartDir}` })).stdout;
}
