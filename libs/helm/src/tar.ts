import { gunzipSync } from 'node:zlib';

/** One regular file of a tar archive. */
export interface TarFile {
  readonly path: string;
  readonly data: Buffer;
}

const BLOCK = 512;

const field = (block: Buffer, start: number, length: number): string => {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
};

function sizeOf(block: Buffer): number {
  // GNU base-256 for large sizes: high bit set in the first byte.
  if ((block[124] ?? 0) & 0x80) return Number(block.readBigUInt64BE(128));
  const text = field(block, 124, 12).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** PAX extended header records: `<len> key=value\n`. */
function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = parseInt(data.subarray(at, space).toString('ascii'), 10);
    if (!(length > 0)) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

/**
 * The regular files of a .tar.gz (ustar, PAX and GNU long names, as Go's archive/tar writes them),
 * read in memory; directories, links and metadata (mtimes, owners, modes) are left out.
 */
export function readTarGz(archive: Buffer): TarFile[] {
  const tar = gunzipSync(archive);
  const files: TarFile[] = [];
  let nextPath: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = sizeOf(header);
    const type = String.fromCharCode(header[156] ?? 0);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      nextPath = paxRecords(data).get('path') ?? nextPath;
      continue;
    }
    if (type === 'L') {
      nextPath = field(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(header, 345, 155);
    const name = nextPath ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    nextPath = undefined;
    if (type === '0' || type === '\0' || type === '7') files.push({ path: name.replace(/^\.\//, ''), data: Buffer.from(data) });
  }
  return files;
}
