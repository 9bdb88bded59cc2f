// Chart.lock's `digest`, computed the way Helm does (helm.sh/helm/v3 internal/resolver HashReq):
//   "sha256:" + hex(sha256(json.Marshal([2][]*chart.Dependency{req, lock})))
// where req is Chart.yaml's dependencies after Metadata.Validate (sanitizeString on name, version,
// repository, condition, tags) and lock is Chart.lock's dependencies as loaded. Fields go through
// sigs.k8s.io/yaml: YAML 1.1 scalars into Go types, numbers formatted back into string fields.
import { createHash } from 'node:crypto';
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node } from 'yaml';
import { fieldNode } from './chart-file.ts';
import { GitopsError } from './errors.ts';
import { goJsonMarshal, GoJsonObject } from './go-json.ts';
import type { GoJson } from './go-json.ts';
import { goResolvePlain } from './go-yaml-scalar.ts';
import { goStringField, scalarSource } from './scalar-style.ts';
import { lineOf, rangeOf } from './yaml-source.ts';
import type { YamlFile } from './yaml-source.ts';

/** Go's sanitizeString: whitespace becomes ' ', other non-printable characters are dropped. */
export function sanitizeString(s: string): string {
  let out = '';
  for (const ch of s) {
    if (/^\p{White_Space}$/u.test(ch)) out += ' ';
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) out += ch;
  }
  return out;
}

/** The `dependencies` of a Chart.yaml (sanitized) or Chart.lock as Go structs; null when the key is absent. */
export function helmDependencies(file: YamlFile, kind: 'chart' | 'lock'): GoJsonObject[] | null {
  const doc = file.docs[0];
  const root = doc?.contents;
  if (doc === undefined || !isMap(root)) return null;
  const list = deref(doc, fieldNode(root, 'dependencies'));
  if (list === null || (isScalar(list) && list.value === null)) return null;
  if (!isSeq(list)) throw invalid(file, list, 'dependencies is not a list');
  const clean = kind === 'chart' ? sanitizeString : (s: string) => s;
  return list.items.map((item, i) => {
    const map = deref(doc, item);
    if (map === null) throw invalid(file, item, `dependencies[${i}] is null`);
    if (!isMap(map)) throw invalid(file, map, `dependencies[${i}] is not a mapping`);
    const str = (key: string): string => {
      const v = goStringField(file.text, doc, fieldNode(map, key));
      if (v === undefined) throw invalid(file, map, `dependencies[${i}].${key} is not a string`);
      return v;
    };
    const fields: [string, GoJson][] = [
      ['name', clean(str('name'))],
    ];
    const version = clean(str('version'));
    if (version !== '') fields.push(['version', version]);
    fields.push(['repository', clean(str('repository'))]);
    const condition = clean(str('condition'));
    if (condition !== '') fields.push(['condition', condition]);
    const tags = deref(doc, fieldNode(map, 'tags'));
    if (tags !== null && !(isScalar(tags) && tags.value === null)) {
      if (!isSeq(tags)) throw invalid(file, tags, `dependencies[${i}].tags is not a list`);
      if (tags.items.length > 0) {
        fields.push(['tags', tags.items.map((t) => {
          const v = goStringField(file.text, doc, t);
          if (v === undefined) throw invalid(file, tags, `dependencies[${i}].tags holds a non-string`);
          return clean(v);
        })]);
      }
    }
    const enabled = goInterface(file, doc, fieldNode(map, 'enabled'));
    if (enabled !== null && typeof enabled !== 'boolean') throw invalid(file, map, `dependencies[${i}].enabled is not a boolean`);
    if (enabled === true) fields.push(['enabled', true]);
    const imports = goInterface(file, doc, fieldNode(map, 'import-values'));
    if (imports !== null && !Array.isArray(imports)) throw invalid(file, map, `dependencies[${i}].import-values is not a list`);
    if (imports !== null && imports.length > 0) fields.push(['import-values', imports]);
    const alias = str('alias');
    if (alias !== '') fields.push(['alias', alias]);
    return new GoJsonObject(fields);
  });
}

/**
 * HashReq(req, lock). A req repository written as `@name` / `alias:name` is what Helm replaces with the
 * repo URL from its local repositories.yaml before hashing; that URL is the one the lock recorded, so we
 * take it from the lock entry at the same index.
 */
export function hashReq(req: GoJsonObject[] | null, lock: GoJsonObject[] | null): string {
  const resolved = req?.map((dep, i) => {
    const repo = dep.fields.find(([k]) => k === 'repository')?.[1];
    const lockRepo = lock?.[i]?.fields.find(([k]) => k === 'repository')?.[1];
    if (typeof repo === 'string' && (repo.startsWith('@') || repo.startsWith('alias:')) && typeof lockRepo === 'string') {
      return new GoJsonObject(dep.fields.map(([k, v]) => [k, k === 'repository' ? lockRepo : v]));
    }
    return dep;
  }) ?? null;
  const json = goJsonMarshal([resolved, lock]);
  return `sha256:${createHash('sha256').update(json, 'utf8').digest('hex')}`;
}

/** The digest Helm expects in Chart.lock for this Chart.yaml and this lock's dependencies. */
export function expectedLockDigest(chart: YamlFile, lock: YamlFile): string {
  return hashReq(helmDependencies(chart, 'chart'), helmDependencies(lock, 'lock'));
}

function deref(doc: Document.Parsed, node: unknown): Node | null {
  let n = (node ?? null) as Node | null;
  for (let i = 0; i < 100 && n !== null && isAlias(n); i++) n = (n.resolve(doc) as Node | undefined) ?? null;
  return n;
}

/** A value decoded into Go's interface{} and back through JSON (maps get sorted string keys). */
function goInterface(file: YamlFile, doc: Document.Parsed, node: unknown): GoJson {
  const n = deref(doc, node);
  if (n === null) return null;
  if (isScalar(n)) {
    if (n.type === 'PLAIN' && n.tag === undefined) {
      const src = scalarSource(file.text, n);
      if (src.includes('\n')) return String(n.value);
      const r = goResolvePlain(src);
      switch (r.tag) {
        case 'str':
          return r.value;
        case 'bool':
          return r.value;
        case 'null':
          return null;
        case 'int':
          return Number(r.value);
        case 'float':
          return r.value;
      }
    }
    const v: unknown = n.value;
    return typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' ? v : v === null ? null : String(v);
  }
  if (isSeq(n)) return n.items.map((x) => goInterface(file, doc, x));
  if (isMap(n)) {
    const out: Record<string, GoJson> = {};
    for (const p of n.items) {
      const k = goStringField(file.text, doc, p.key);
      out[k ?? ''] = goInterface(file, doc, p.value);
    }
    return out;
  }
  return null;
}

function invalid(file: YamlFile, node: unknown, detail: string): GitopsError {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  const line = r === undefined ? undefined : lineOf(file.text, rangeOf({ range: r })[0]);
  return new GitopsError('INVALID_DEPENDENCY', detail, line === undefined ? { file: file.path } : { file: file.path, line });
}
