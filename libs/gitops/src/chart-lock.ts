// Chart.lock kept consistent with Chart.yaml: the app dependency's locked version, Helm's digest and
// `generated`. Before editing, the lock must already match Chart.yaml (else LOCK_OUT_OF_SYNC: we would
// otherwise stamp a fresh digest over someone else's unresolved change).
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import { fieldNode } from './chart-file.ts';
import { GitopsError } from './errors.ts';
import { expectedLockDigest } from './helm-digest.ts';
import { goStringField } from './scalar-style.ts';
import { planSetScalar } from './yaml-edit.ts';
import { applyEdits, parseYamlFile } from './yaml-source.ts';
import type { Edit, YamlFile } from './yaml-source.ts';

export interface LockState {
  digest: string;
  /** The digest Helm computes for the current Chart.yaml and lock dependencies. */
  expectedDigest: string;
  inSync: boolean;
  /** The locked version of the app dependency, when the lock has an entry at its index. */
  version?: string;
  generated?: string;
}

export function readLockState(lock: YamlFile, chart: YamlFile, depIndex: number): LockState {
  const doc = lock.docs[0];
  const root = doc?.contents;
  if (doc === undefined || !isMap(root)) throw new GitopsError('LOCK_OUT_OF_SYNC', 'Chart.lock is not a mapping', { file: lock.path });
  const digest = goStringField(lock.text, doc, fieldNode(root, 'digest')) ?? '';
  const expectedDigest = expectedLockDigest(chart, lock);
  const state: LockState = { digest, expectedDigest, inSync: digest === expectedDigest };
  const generated = goStringField(lock.text, doc, fieldNode(root, 'generated'));
  if (generated !== undefined && generated !== '') state.generated = generated;
  const deps = fieldNode(root, 'dependencies');
  const entry = isSeq(deps) ? deps.items[depIndex] : undefined;
  if (isMap(entry)) {
    const v = goStringField(lock.text, doc, fieldNode(entry, 'version'));
    if (v !== undefined) state.version = v;
  }
  return state;
}

/** Go's RFC3339Nano in UTC: fractional seconds without trailing zeros. */
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac === '' ? 'Z' : `.${frac}Z`));
}

export interface LockUpdate {
  lockBefore: YamlFile;
  chartBefore: YamlFile;
  chartAfter: YamlFile;
  depIndex: number;
  depName: string;
  version: string;
  now: Date;
}

/** The new Chart.lock text (the input text itself when nothing changes). */
export function updateLock(u: LockUpdate): string {
  const { lockBefore: lock } = u;
  const before = readLockState(lock, u.chartBefore, u.depIndex);
  if (!before.inSync) {
    throw new GitopsError('LOCK_OUT_OF_SYNC', `Chart.lock does not match Chart.yaml (digest ${before.digest || 'missing'}, Helm expects ${before.expectedDigest}); run \`helm dependency update\` on the app folder and commit the lock`, { file: lock.path });
  }
  const doc = lock.docs[0];
  const root = doc?.contents;
  const deps = isMap(root) ? fieldNode(root, 'dependencies') : null;
  const entry = isSeq(deps) ? (deps.items[u.depIndex] as Node | undefined) : undefined;
  const name = isMap(entry) && doc !== undefined ? goStringField(lock.text, doc, fieldNode(entry, 'name')) : undefined;
  if (doc === undefined || entry === undefined || name !== u.depName) {
    throw new GitopsError('LOCK_OUT_OF_SYNC', `Chart.lock has no entry for ${u.depName} at dependencies[${u.depIndex}]`, { file: lock.path });
  }
  const versionEdit = planSetScalar({ file: lock, root: entry, rootName: `dependencies[${u.depIndex}]` }, ['version'], u.version).edit;
  const mid = parseYamlFile(lock.path, applyEdits(lock.text, versionEdit === undefined ? [] : [versionEdit]));
  const midDoc = mid.docs[0];
  const midRoot = midDoc?.contents ?? null;
  if (midDoc === undefined || !isMap(midRoot)) throw new Error('Chart.lock lost its mapping');
  const digest = expectedLockDigest(u.chartAfter, mid);
  const edits: Edit[] = [];
  const digestEdit = planSetScalar({ file: mid, root: midRoot, rootName: '' }, ['digest'], digest).edit;
  if (digestEdit === undefined && versionEdit === undefined) return lock.text;
  if (digestEdit !== undefined) edits.push(digestEdit);
  if (midRoot.items.some((p) => isScalar(p.key) && p.key.value === 'generated')) {
    const g = planSetScalar({ file: mid, root: midRoot, rootName: '' }, ['generated'], rfc3339Nano(u.now)).edit;
    if (g !== undefined) edits.push(g);
  }
  return applyEdits(mid.text, edits);
}

/** The `digest` Helm expects in Chart.lock for these Chart.yaml and Chart.lock texts. */
export function computeLockDigest(files: { chart: string; lock: string }, paths: { chartPath?: string; lockPath?: string } = {}): string {
  return expectedLockDigest(parseYamlFile(paths.chartPath ?? 'Chart.yaml', files.chart), parseYamlFile(paths.lockPath ?? 'Chart.lock', files.lock));
}
