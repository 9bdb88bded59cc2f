// Reading a chart archive (.tgz): tar-stream (a maintained tar reader: ustar, PAX and GNU long names, as Go's
// archive/tar and `helm package` write them), fed from memory.
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';

/** One regular file of a tar archive. */
export interface TarFile {
  readonly path: string;
  readonly data: Buffer;
}

/** The regular files of a .tar.gz, read in memory; directories, links and metadata (mtimes, owners, modes) are left out. */
export async function readTarGz(archive: Buffer): Promise<TarFile[]> {
  const tar = extract();
  tar.end(gunzipSync(archive));
  const files: TarFile[] = [];
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type === 'file' || entry.header.type === 'contiguous-file') files.push({ path: entry.header.name.replace(/^\.\//, ''), data: Buffer.concat(chunks) });
  }
  return files;
}
