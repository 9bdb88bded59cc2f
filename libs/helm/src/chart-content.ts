import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readTarGz } from './tar.ts';

/**
 * What a chart *is*, independent of how its archive was written: every file's path and the sha256 of
 * its bytes. `helm package` stamps tar headers with the time of packaging, so two packagings of the same
 * chart differ byte for byte; their content does not. Subchart archives (charts/*.tgz) are expanded the
 * same way (they are re-packaged too), and Chart.lock's `generated:` timestamp is left out.
 */
export interface ChartContent {
  /** `sha256:` over the sorted `path sha256` lines: equal iff the charts have the same files and bytes. */
  readonly digest: string;
  /** Path → sha256 hex of the bytes; subchart files as `parent/charts/sub.tgz!sub/templates/x.yaml`. */
  readonly files: ReadonlyMap<string, string>;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const LOCK_FILE = /(^|\/)(Chart|requirements)\.lock$/;
const SUBCHART = /(^|\/)charts\/[^/]+\.tgz$/;

function normalise(file: string, data: Buffer): Buffer {
  if (!LOCK_FILE.test(file)) return data;
  return Buffer.from(data.toString('utf8').replace(/^generated:.*(\r?\n|$)/m, ''));
}

async function collect(archive: Buffer, prefix: string, into: Map<string, string>): Promise<void> {
  for (const file of await readTarGz(archive)) {
    const name = `${prefix}${file.path}`;
    if (SUBCHART.test(file.path)) await collect(file.data, `${name}!`, into);
    else into.set(name, sha256(normalise(file.path, file.data)));
  }
}

export async function chartContentOf(archive: Buffer): Promise<ChartContent> {
  const files = new Map<string, string>();
  await collect(archive, '', files);
  const sorted = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { digest: `sha256:${sha256(sorted.map(([p, h]) => `${p} ${h}\n`).join(''))}`, files: new Map(sorted) };
}

/** The content of a chart archive (.tgz) on disk. */
export async function chartContent(archivePath: string): Promise<ChartContent> {
  return chartContentOf(await readFile(archivePath));
}

/** Files that differ between two charts: `+ path` only in b, `- path` only in a, `~ path` changed. */
export function diffChartContent(a: ChartContent, b: ChartContent): string[] {
  const out: string[] = [];
  for (const [file, hash] of a.files) {
    const other = b.files.get(file);
    if (other === undefined) out.push(`- ${file}`);
    else if (other !== hash) out.push(`~ ${file}`);
  }
  for (const file of b.files.keys()) if (!a.files.has(file)) out.push(`+ ${file}`);
  return out;
}
