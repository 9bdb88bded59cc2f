// The typed contract of a Task as a caller sees it (params, results, workspaces, mounted objects), read from
// a Task object (rendered, or parsed back from a published YAML), and the SemVer bump a change to it needs.
import type { Bump } from './catalog-version.ts';

export interface Contract {
  /** Param name → its default (undefined: required). */
  readonly params: ReadonlyMap<string, string | undefined>;
  readonly results: ReadonlySet<string>;
  readonly workspaces: ReadonlyMap<string, { readonly optional: boolean; readonly readOnly: boolean }>;
  /** Mount path → `secret/<name>` or `configMap/<name>`, and whether the object may be absent. */
  readonly mounts: ReadonlyMap<string, { readonly object: string; readonly optional: boolean }>;
}

export interface ContractChange {
  readonly bump: Bump;
  readonly reasons: readonly string[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

export function contractOf(task: unknown): Contract {
  const spec = obj(obj(task)['spec']);
  const params = new Map(list(spec['params']).map((p) => [String(p['name']), 'default' in p ? str(p['default']) ?? JSON.stringify(p['default']) : undefined] as const));
  const results = new Set(list(spec['results']).map((r) => String(r['name'])));
  const workspaces = new Map(list(spec['workspaces']).map((w) => [String(w['name']), { optional: w['optional'] === true, readOnly: w['readOnly'] === true }] as const));
  const volumes = new Map(list(spec['volumes']).map((v) => [String(v['name']), v] as const));
  const mounts = new Map<string, { object: string; optional: boolean }>();
  for (const step of list(spec['steps'])) {
    for (const m of list(step['volumeMounts'])) {
      const volume = volumes.get(String(m['name']));
      // An emptyDir (the step's /tmp) is the Task's own scratch space, nothing a caller provides.
      if (volume && 'emptyDir' in volume) continue;
      const secret = volume ? obj(volume['secret']) : {};
      const configMap = volume ? obj(volume['configMap']) : {};
      const object = 'secretName' in secret ? `secret/${String(secret['secretName'])}` : 'name' in configMap ? `configMap/${String(configMap['name'])}` : `volume/${String(m['name'])}`;
      mounts.set(String(m['mountPath']), { object, optional: secret['optional'] === true || configMap['optional'] === true });
    }
  }
  return { params, results, workspaces, mounts };
}

const RANK: Record<Bump, number> = { patch: 0, minor: 1, major: 2 };

/**
 * What a change from `before` to `after` means for callers. Major: a param, result or workspace removed (a rename
 * is a removal), a param added without default or losing its default, a workspace added as required or made
 * required, a mounted object changed or added as required. Minor: a param added with a default or regaining one,
 * a changed default, a result added, a workspace added as optional or made optional, readOnly changed, an optional
 * mount added. Anything else (descriptions, env, security context, the program's code, the base image) is a patch.
 */
export function compareContracts(before: Contract, after: Contract): ContractChange {
  const reasons: Array<[Bump, string]> = [];
  for (const [name, def] of before.params) {
    if (!after.params.has(name)) reasons.push(['major', `param ${name} removed`]);
    else {
      const next = after.params.get(name);
      if (def !== undefined && next === undefined) reasons.push(['major', `param ${name} lost its default (now required)`]);
      else if (def === undefined && next !== undefined) reasons.push(['minor', `param ${name} got a default (${JSON.stringify(next)})`]);
      else if (def !== next) reasons.push(['minor', `param ${name} default ${JSON.stringify(def)} → ${JSON.stringify(next)}`]);
    }
  }
  for (const [name, def] of after.params) {
    if (!before.params.has(name)) reasons.push(def === undefined ? ['major', `param ${name} added without default`] : ['minor', `param ${name} added (default ${JSON.stringify(def)})`]);
  }
  for (const name of before.results) if (!after.results.has(name)) reasons.push(['major', `result ${name} removed`]);
  for (const name of after.results) if (!before.results.has(name)) reasons.push(['minor', `result ${name} added`]);
  for (const [name, ws] of before.workspaces) {
    const next = after.workspaces.get(name);
    if (!next) reasons.push(['major', `workspace ${name} removed`]);
    else {
      if (ws.optional && !next.optional) reasons.push(['major', `workspace ${name} made required`]);
      if (!ws.optional && next.optional) reasons.push(['minor', `workspace ${name} made optional`]);
      if (ws.readOnly !== next.readOnly) reasons.push(['minor', `workspace ${name} ${next.readOnly ? 'made' : 'no longer'} read-only`]);
    }
  }
  for (const [name, ws] of after.workspaces) {
    if (!before.workspaces.has(name)) reasons.push(ws.optional ? ['minor', `optional workspace ${name} added`] : ['major', `workspace ${name} added as required`]);
  }
  for (const [mountPath, m] of before.mounts) {
    const next = after.mounts.get(mountPath);
    if (!next) reasons.push(['major', `mount ${mountPath} (${m.object}) removed`]);
    else if (next.object !== m.object) reasons.push(['major', `mount ${mountPath} changed: ${m.object} → ${next.object}`]);
    // Optional is a relaxation (everything that ran still runs); required again breaks runs without the object.
    else if (m.optional && !next.optional) reasons.push(['major', `mount ${mountPath} (${m.object}) made required`]);
    else if (!m.optional && next.optional) reasons.push(['minor', `mount ${mountPath} (${m.object}) made optional`]);
  }
  for (const [mountPath, m] of after.mounts) {
    if (!before.mounts.has(mountPath)) reasons.push(m.optional ? ['minor', `optional mount ${mountPath} (${m.object}) added`] : ['major', `mount ${mountPath} (${m.object}) added`]);
  }
  const bump = reasons.reduce<Bump>((worst, [b]) => (RANK[b] > RANK[worst] ? b : worst), 'patch');
  return { bump, reasons: reasons.map(([b, r]) => `${b}: ${r}`) };
}
