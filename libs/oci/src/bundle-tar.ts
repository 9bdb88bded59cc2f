// A tar archive holding exactly one regular file, byte-for-byte reproducible (ustar, mtime 0, uid/gid 0,
// mode 0644): the layer format of a Tekton bundle (one resource per layer).
import { RegistryError } from './errors.ts';

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value, offset, length, 'utf8');
}

const octal = (value: number, width: number): string => `${value.toString(8).padStart(width - 1, '0')}\0`;

/** A tar with one file `name` (at most 100 bytes of name) holding `content`. */
export function singleFileTar(name: string, content: Buffer): Buffer {
  if (Buffer.byteLength(name) > 100 || name.includes('/') || name === '') throw new RangeError(`tar entry name must be a plain file name of at most 100 bytes: ${JSON.stringify(name)}`);
  const header = Buffer.alloc(BLOCK);
  field(header, 0, 100, name);
  field(header, 100, 8, octal(0o644, 8));
  field(header, 108, 8, octal(0, 8));
  field(header, 116, 8, octal(0, 8));
  field(header, 124, 12, octal(content.length, 12));
  field(header, 136, 12, octal(0, 12));
  field(header, 148, 8, '        '); // checksum is computed with this field as spaces
  field(header, 156, 1, '0');
  field(header, 257, 6, 'ustar\0');
  field(header, 263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK);
  return Buffer.concat([header, content, padding, Buffer.alloc(2 * BLOCK)]);
}

/** The first file of a tar archive (what Tekton reads from a bundle layer). */
export function readFirstTarFile(tar: Buffer): { name: string; content: Buffer } {
  const header = tar.subarray(0, BLOCK);
  if (header.length < BLOCK || header.every((b) => b === 0)) throw new RegistryError('bundle layer is not a tar archive (no header)');
  const text = (offset: number, length: number): string => header.toString('utf8', offset, offset + length).replace(/\0.*$/s, '');
  const stored = Number.parseInt(text(148, 8).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  if (stored !== sum) throw new RegistryError('bundle layer is not a tar archive (bad header checksum)');
  const size = Number.parseInt(text(124, 12).trim() || '0', 8);
  return { name: text(0, 100), content: Buffer.from(tar.subarray(BLOCK, BLOCK + size)) };
}
