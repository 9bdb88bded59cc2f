import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { devImage, renderReference, spliceReference } from '@hat/task-spec';
import { renderTaskYaml } from '@hat/task-spec/yaml';
import { repoRoot } from '@hat/task-runner';
import { PIPELINE_CHART_DIR, renderValuesTable, spliceValuesTable } from './chart-docs.ts';
import { programs } from './task-registry.ts';

export const DEV_VERSION = 'dev';

/** The pipeline chart's copy of the webhook verifier (libs/webhook bundled; the chart mounts it from a ConfigMap). */
export const WEBHOOK_VERIFIER_FILE = 'charts/pipeline/files/webhook-verifier.mjs';

async function webhookVerifierBundle(): Promise<string> {
  // Loaded by path so the CLI bundle does not inline esbuild (generate runs in a checkout only).
  const { bundleWebhookVerifier } = (await import(path.join(repoRoot, 'scripts', 'bundle.mjs'))) as { bundleWebhookVerifier: () => Promise<string> };
  return bundleWebhookVerifier();
}

/** Every generated file (path relative to the repo → content): dev Task YAML per Task, the task README reference blocks, the pipeline chart's values table and webhook verifier. */
export async function generatedFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [program, defs] of programs()) {
    for (const def of defs) {
      files.set(`tasks/${program}/tekton/${def.name}.yaml`, renderTaskYaml(def, { version: DEV_VERSION, image: devImage(program) }));
    }
    const readmePath = `tasks/${program}/README.md`;
    const readme = await readFile(path.join(repoRoot, readmePath), 'utf8');
    files.set(readmePath, spliceReference(readme, renderReference(defs)));
  }
  const chartReadme = path.relative(repoRoot, path.join(PIPELINE_CHART_DIR, 'README.md'));
  files.set(chartReadme, spliceValuesTable(await readFile(path.join(repoRoot, chartReadme), 'utf8'), await renderValuesTable()));
  files.set(WEBHOOK_VERIFIER_FILE, await webhookVerifierBundle());
  return files;
}

/** Files whose committed content differs from what the definitions generate. */
export async function staleFiles(): Promise<string[]> {
  const stale: string[] = [];
  for (const [rel, content] of await generatedFiles()) {
    const current = await readFile(path.join(repoRoot, rel), 'utf8').catch(() => undefined);
    if (current !== content) stale.push(rel);
  }
  return stale;
}

export async function writeGenerated(): Promise<string[]> {
  const written: string[] = [];
  for (const [rel, content] of await generatedFiles()) {
    const full = path.join(repoRoot, rel);
    const current = await readFile(full, 'utf8').catch(() => undefined);
    if (current === content) continue;
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, content);
    written.push(rel);
  }
  return written;
}
