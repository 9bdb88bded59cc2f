// Finds the Task a PipelineTask refers to, the way the cluster would: in the versioned catalog.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { devImage, renderTaskObject } from '@hat/task-spec';
import { HatError } from '@hat/task-runtime';
import { compareSemver, parseSemver } from '@hat/gitops';
import { allTasks } from '../task-registry.ts';

export interface ResolvedTask {
  readonly task: unknown;
  /** Where it came from: a catalog file, or a development render when the catalog has no such version. */
  readonly source: string;
}

type TaskRef = { name?: string; resolver?: string; params?: Array<{ name: string; value: string }> };

/** `deploy-test-v1` (a plain taskRef or the cluster resolver) → deploy-test, major 1; a bundle ref → name and exact version. */
export function parseTaskRef(ref: TaskRef): { name: string; major?: number; version?: string } {
  if (ref.resolver === 'bundles') {
    const p = Object.fromEntries((ref.params ?? []).map((x) => [x.name, x.value]));
    const version = /:([^:@/]+)(@sha256:[0-9a-f]{64})?$/.exec(p['bundle'] ?? '')?.[1];
    if (!p['name']) throw new HatError(`bundles taskRef without a name param`);
    return version ? { name: p['name'], version } : { name: p['name'] };
  }
  const clusterName = ref.resolver === 'cluster' ? ref.params?.find((p) => p.name === 'name')?.value : undefined;
  const name = ref.name ?? clusterName;
  if (!name) throw new HatError(`taskRef has neither a name nor a supported resolver (cluster, bundles): ${JSON.stringify(ref)}`);
  const m = /^(.*)-v(\d+)$/.exec(name);
  return m ? { name: m[1]!, major: Number(m[2]) } : { name };
}

export function catalogResolver(catalogDir: string, onResolve?: (ref: string, source: string) => void) {
  return async (ref: TaskRef): Promise<unknown> => {
    const { name, major, version } = parseTaskRef(ref);
    const dir = path.join(catalogDir, 'tasks', name);
    const versions = (await readdir(dir).catch(() => [] as string[]))
      .filter((v) => parseSemver(v) && (version ? v === version : major === undefined || Number(parseSemver(v)!.major) === major))
      .sort(compareSemver);
    const chosen = versions.at(-1);
    if (chosen) {
      const file = path.join(dir, chosen, `${name}.yaml`);
      onResolve?.(ref.name ?? name, path.relative(process.cwd(), file));
      return parse(await readFile(file, 'utf8')) as unknown;
    }
    const def = allTasks.find((t) => t.name === name);
    if (!def) throw new HatError(`task ${name} is neither in the catalog (${dir}) nor a HAT task`);
    onResolve?.(ref.name ?? name, `development render of ${name} (not in the catalog yet)`);
    return renderTaskObject(def, { version: 'dev', image: devImage(def.program) });
  };
}
