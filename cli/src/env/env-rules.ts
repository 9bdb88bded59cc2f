// Which environment a pushed ref deploys to: the same rule the pipeline chart's EventListener computes in CEL.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@hat/task-runner';
export interface EnvironmentRule {
  readonly name: string;
  readonly branches?: readonly string[];
  readonly tags?: readonly string[];
}

const literal = (part: string): string => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** A glob as the chart documents it: `**` matches any run of characters, `*` any run except `/`; the rest is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('**')
    .map((part) => part.split('*').map(literal).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** The first environment whose rule matches the ref (refs/heads/<branch> or refs/tags/<tag>), or undefined. */
export function targetEnvironment(rules: readonly EnvironmentRule[], ref: string): string | undefined {
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
  const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
  for (const rule of rules) {
    if (branch !== undefined && (rule.branches ?? []).some((g) => globToRegExp(g).test(branch))) return rule.name;
    if (tag !== undefined && (rule.tags ?? []).some((g) => globToRegExp(g).test(tag))) return rule.name;
  }
  return undefined;
}

/** The rules of a pipeline values file, or the chart's defaults (main → test, release/* → stage, v* → prod). */
export async function environmentRules(values: { environments?: EnvironmentRule[] }): Promise<EnvironmentRule[]> {
  if (values.environments) return values.environments;
  const defaults = parse(await readFile(path.join(repoRoot, 'charts/pipeline/values.yaml'), 'utf8')) as { environments: EnvironmentRule[] };
  return defaults.environments;
}
