// One upstream module from the proxy: `go mod download -json` gives its extracted folder (read-only, in the module
// cache) and its .mod file, whose go directive and replace directives the wrapper modules reuse.
import { readFile } from 'node:fs/promises';
import { HatError } from '@hat/task-runtime';
import { go } from './go-env.ts';

export interface DownloadedModule {
  readonly path: string;
  readonly version: string;
  /** The extracted module zip (read-only). */
  readonly dir: string;
  /** The module's go.mod as served by the proxy. */
  readonly goMod: string;
}

export async function downloadModule(modulePath: string, version: string, cwd: string): Promise<DownloadedModule> {
  const { stdout } = await go(['mod', 'download', '-json', `${modulePath}@${version}`], { cwd });
  const info = JSON.parse(stdout) as { Dir?: string; GoMod?: string; Error?: string };
  if (info.Error || !info.Dir || !info.GoMod) throw new HatError(`go mod download ${modulePath}@${version}: ${info.Error ?? 'no Dir in its answer'}`);
  return { path: modulePath, version, dir: info.Dir, goMod: await readFile(info.GoMod, 'utf8') };
}

/** `go 1.25.0` → '1.25.0'. */
export function goDirective(goMod: string): string | undefined {
  return /^go\s+(\S+)\s*$/m.exec(goMod)?.[1];
}

export interface Replace {
  readonly from: string;
  /** A module path (with `version`) or a local path (`./staging/src/k8s.io/api`, without `version`). */
  readonly to: string;
  readonly version?: string;
}

/** Every replace directive of a go.mod, single-line and block forms, comments dropped. */
export function replaceDirectives(goMod: string): Replace[] {
  const lines: string[] = [];
  let inBlock = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inBlock) {
      if (line === ')') inBlock = false;
      else if (line) lines.push(line);
    } else if (/^replace\s*\($/.test(line)) inBlock = true;
    else if (line.startsWith('replace ')) lines.push(line.slice('replace '.length).trim());
  }
  return lines.map((line) => {
    const m = /^(\S+)(?:\s+\S+)?\s+=>\s+(\S+)(?:\s+(\S+))?$/.exec(line);
    if (!m) throw new HatError(`cannot read replace directive: ${line}`);
    return { from: m[1]!, to: m[2]!, ...(m[3] ? { version: m[3] } : {}) };
  });
}

/** Replaces that point into the upstream repository's own tree (`./staging/…`, `../api`): useless in a dependency. */
export const isLocalReplace = (r: Replace): boolean => r.version === undefined;
