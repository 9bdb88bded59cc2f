// The Debian mirror debootstrap fetches from: the one apt itself uses on this machine (its sources list), so the
// project names no mirror of its own and works behind whatever archive or proxy the machine is set up with.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HatError } from '@hat/task-runtime';

interface Source {
  readonly uri: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
}

/** deb822 stanzas (`Types: deb`, `URIs:`, `Suites:`, `Components:`) of a *.sources file. */
export function parseDeb822(text: string): Source[] {
  return text
    .split(/\n\s*\n/)
    .map((stanza) => {
      const fields = new Map<string, string>();
      for (const line of stanza.split('\n')) {
        const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
        if (m) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
      }
      if (!(fields.get('types') ?? '').split(/\s+/).includes('deb') || fields.get('enabled') === 'no') return [];
      const split = (k: string): string[] => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
      return split('uris').map((uri) => ({ uri, suites: split('suites'), components: split('components') }));
    })
    .flat();
}

/** One-line `deb [options] URI SUITE COMPONENT…` entries of a sources.list. */
export function parseSourcesList(text: string): Source[] {
  return text.split('\n').flatMap((line) => {
    const words = line.replace(/#.*$/, '').replace(/\[[^\]]*\]/, '').trim().split(/\s+/);
    if (words[0] !== 'deb' || words.length < 4) return [];
    return [{ uri: words[1]!, suites: [words[2]!], components: words.slice(3) }];
  });
}

export function pickMirror(sources: readonly Source[], suite: string): string | undefined {
  return sources.find((s) => s.suites.includes(suite) && s.components.includes('main'))?.uri.replace(/\/+$/, '');
}

/** The URI of the apt source serving `<suite> main` on this machine. */
export async function debianMirror(suite: string, aptDir = '/etc/apt'): Promise<string> {
  const sources: Source[] = [];
  const list = await readFile(path.join(aptDir, 'sources.list'), 'utf8').catch(() => '');
  sources.push(...parseSourcesList(list));
  const dir = path.join(aptDir, 'sources.list.d');
  for (const name of (await readdir(dir).catch(() => [])).sort()) {
    const text = await readFile(path.join(dir, name), 'utf8').catch(() => '');
    if (name.endsWith('.sources')) sources.push(...parseDeb822(text));
    else if (name.endsWith('.list')) sources.push(...parseSourcesList(text));
  }
  const mirror = pickMirror(sources, suite);
  if (!mirror) throw new HatError(`no apt source for Debian ${suite} main in ${aptDir}/sources.list{,.d}: the base root file system is fetched from the mirror apt uses`);
  return mirror;
}
