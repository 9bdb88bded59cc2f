// Where an app's folder is in an env repo. Flat (the default): apps/<app>/. Sharded, for env repos of thousands of
// apps: apps/<shard>/<app>/, <shard> the first two hex digits of the SHA-256 of the app's name (256 folders), so
// that no tree of the repo grows past a few hundred entries however many apps it holds: every promotion fetches,
// rewrites and pushes the trees on its app's path, and the server walks them (docs/architecture.md, "Scale").
// An env repo says it is sharded in its root file hat.yaml (`layout: sharded`), written by `hat env init`.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { GitopsError } from './errors.ts';

export const LAYOUTS = ['flat', 'sharded'] as const;
export type Layout = (typeof LAYOUTS)[number];

/** The env repo's root file that names its layout (absent: flat). */
export const LAYOUT_FILE = 'hat.yaml';

/** The layout hat.yaml names; undefined text (no file) is flat. Anything else is an INVALID_LAYOUT error, one line. */
export function parseLayout(text: string | undefined): Layout {
  if (text === undefined) return 'flat';
  const doc = parseDocument(text);
  if (doc.errors.length) throw new GitopsError('MALFORMED_YAML', doc.errors[0]!.message, { file: LAYOUT_FILE });
  const layout = isMap(doc.contents) ? (doc.toJS() as Record<string, unknown>)['layout'] : undefined;
  if (layout === undefined) return 'flat';
  if (typeof layout !== 'string' || !(LAYOUTS as readonly string[]).includes(layout)) {
    throw new GitopsError('INVALID_LAYOUT', `layout: expected ${LAYOUTS.join(' or ')}, got ${JSON.stringify(layout)}`, { file: LAYOUT_FILE });
  }
  return layout as Layout;
}

/** hat.yaml for a layout (flat needs none). */
export function layoutFile(layout: Layout): string {
  return `# How this env repo lays out its apps (read by hat and its deploy tasks; set once by hat env init).
# sharded: each app in apps/<shard>/<app>/, <shard> the first two hex digits of the SHA-256 of the app's name.
layout: ${layout}
`;
}

/** The shard folder of an app in the sharded layout: two hex digits. */
export const shardOf = (app: string): string => createHash('sha256').update(app).digest('hex').slice(0, 2);

/** The app's folder, from the repo's root. */
export const appDir = (app: string, layout: Layout): string => (layout === 'sharded' ? `apps/${shardOf(app)}/${app}` : `apps/${app}`);

/**
 * The app's folder for a clone that fetches only it (@hat/git's folder clones): chosen from the root file hat.yaml,
 * read through `readRoot`, before anything else is fetched.
 */
export const appFolder =
  (app: string) =>
  async (readRoot: (name: string) => Promise<string | undefined>): Promise<string[]> => [appDir(app, parseLayout(await readRoot(LAYOUT_FILE)))];

/** The layout of a checked-out env repo (its root's hat.yaml). */
export async function readLayout(repoDir: string): Promise<Layout> {
  const text = await readFile(path.join(repoDir, LAYOUT_FILE), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  return parseLayout(text);
}
