// Puts the project's pinned tools (.tools/bin: helm, the Tekton validator) first on PATH for every test.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const toolsBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.tools', 'bin');
if (!(process.env['PATH'] ?? '').split(path.delimiter).includes(toolsBin)) {
  process.env['PATH'] = `${toolsBin}${path.delimiter}${process.env['PATH'] ?? ''}`;
}
