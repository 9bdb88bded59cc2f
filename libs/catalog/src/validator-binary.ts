// Where an installed `hat` (npm pack of cli/, no repository) finds the Tekton validator: $HAT_VALIDATOR, then
// hat-tekton-validate on PATH, then one it built earlier in the per-user cache, else it builds one now from the Go
// sources shipped in the package (validator/: main.go, go.mod, go.sum; modules from the Go module proxy).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { userCacheDir } from '@hat/image';
import { HatError } from '@hat/task-runtime';

const NAME = 'hat-tekton-validate';

/** The validator's Go sources in the package (cli/validator/, found up from the bundle's dist/ or dist/chunks/). */
export function shippedSources(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = path.dirname(dir)) if (existsSync(path.join(dir, 'validator', 'go.mod'))) return path.join(dir, 'validator');
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'validator');
}

const cacheDir = (): string => path.join(userCacheDir(), 'bin');

function onPath(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, NAME);
    if (existsSync(file)) return file;
  }
  return undefined;
}

export async function findValidator(sources = shippedSources(), log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const given = process.env['HAT_VALIDATOR'];
  if (given) return given;
  const found = onPath();
  if (found) return found;
  const files = ['main.go', 'go.mod', 'go.sum'];
  const texts = await Promise.all(files.map((f) => readFile(path.join(sources, f)).catch(() => undefined)));
  if (texts.some((t) => t === undefined)) throw new HatError(`${NAME} not found: put it on PATH or set HAT_VALIDATOR (no validator sources in ${sources} to build it from)`);
  const key = createHash('sha256').update(Buffer.concat(texts as Buffer[])).digest('hex').slice(0, 16);
  const target = path.join(cacheDir(), `${NAME}-${key}`);
  if (existsSync(target)) return target;
  const go = await execa('go', ['version'], { reject: false });
  if (go.exitCode !== 0) {
    throw new HatError(`hat validate runs Tekton's own validation code, built once with Go from the sources in ${sources}: Go is not on PATH (install Go 1.24 or newer, or put ${NAME} on PATH)`);
  }
  log(`hat validate: building ${NAME} (Tekton's validation code) with ${go.stdout.trim()}: once, a minute or two`);
  await mkdir(cacheDir(), { recursive: true });
  const work = await mkdtemp(path.join(cacheDir(), '.build-'));
  try {
    await cp(sources, work, { recursive: true });
    const built = await execa('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', path.join(work, NAME), '.'], { cwd: work, reject: false, all: true });
    if (built.exitCode !== 0) throw new HatError(`building ${NAME} failed: ${(built.all ?? '').trim().split('\n').slice(-3).join(' ')}`);
    await rename(path.join(work, NAME), target);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
