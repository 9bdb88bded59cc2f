// What HAT ships, sent to the real admission webhooks of a running cluster with `kubectl apply --dry-run=server`:
// every published catalog Task, the catalog's kustomizations, and the pipeline chart rendered from each example.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { template } from '@hat/helm';
import { repoRoot } from '@hat/task-runner';

export interface DryRun {
  readonly what: string;
  readonly exitCode: number;
  /** One line per object kubectl reports, e.g. `task.tekton.dev/git-clone created (server dry run)`. */
  readonly lines: readonly string[];
  readonly stderr: string;
}

const catalog = path.join(repoRoot, 'catalog');
const chart = path.join(repoRoot, 'charts', 'pipeline');

export async function dryRun(kubectl: string, kubeconfig: string, namespace: string, what: string, yaml: string): Promise<DryRun> {
  const res = await execa(kubectl, ['--kubeconfig', kubeconfig, 'apply', '--dry-run=server', '--namespace', namespace, '-f', '-'], { input: yaml, reject: false });
  return { what, exitCode: res.exitCode ?? -1, lines: res.stdout.split('\n').filter(Boolean), stderr: res.stderr };
}

/** Every catalog Task version's YAML (catalog/tasks/<task>/<version>/<task>.yaml). */
export async function catalogTaskFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const task of (await readdir(path.join(catalog, 'tasks'))).sort()) {
    for (const version of (await readdir(path.join(catalog, 'tasks', task))).sort()) files.push(path.join(catalog, 'tasks', task, version, `${task}.yaml`));
  }
  return files;
}

export const kustomizeBuild = async (dir: string): Promise<string> => (await execa('kustomize', ['build', dir])).stdout;

/** The pipeline chart rendered from each of its examples: example name → YAML. */
export async function renderedChartExamples(namespace: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of (await readdir(path.join(chart, 'examples'))).filter((f) => f.endsWith('.yaml')).sort()) {
    out[file] = await template(chart, { releaseName: 'web-pipeline', namespace, valuesFiles: [path.join(chart, 'examples', file)] });
  }
  return out;
}

