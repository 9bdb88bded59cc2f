// What HAT ships, sent to the real admission webhooks of a running cluster with `kubectl apply --dry-run=server`:
// every published catalog Task, the catalog's kustomizations, and the pipeline chart rendered from each example.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
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

/** Objects that name their own namespace (the chart's Role in Argo CD's) are sent there; the rest to `namespace`. */
export async function dryRun(kubectl: string, kubeconfig: string, namespace: string, what: string, yaml: string): Promise<DryRun> {
  const groups = new Map<string, string[]>();
  for (const doc of parseAllDocuments(yaml)) {
    const object = doc.toJS() as { metadata?: { namespace?: string } } | null;
    if (!object) continue;
    const ns = object.metadata?.namespace ?? namespace;
    groups.set(ns, [...(groups.get(ns) ?? []), doc.toString()]);
  }
  const out = { exitCode: 0, lines: [] as string[], stderr: [] as string[] };
  for (const [ns, docs] of groups) {
    const res = await execa(kubectl, ['--kubeconfig', kubeconfig, 'apply', '--dry-run=server', '--namespace', ns, '-f', '-'], { input: docs.join('---\n'), reject: false });
    out.exitCode ||= res.exitCode ?? -1;
    out.lines.push(...res.stdout.split('\n').filter(Boolean));
    if (res.stderr) out.stderr.push(res.stderr);
  }
  return { what, exitCode: out.exitCode, lines: out.lines, stderr: out.stderr.join('\n') };
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

