// A build is cached only when each binary says the pinned version: its own version output where it has one, and
// always the module version recorded in its build info (`go version -m`), which every Go binary carries.
import { HatError, run } from '@hat/task-runtime';
import type { BinarySpec } from './components.ts';
import { goBinary, goEnv } from './go-env.ts';

/** The version of `module` in the build info of `file` ('(devel)' for the main module). */
export async function buildInfoVersion(file: string, module: string): Promise<string | undefined> {
  const { stdout } = await run(goBinary(), ['version', '-m', file], { env: goEnv() });
  for (const line of stdout.split('\n')) {
    const [kind, mod, version] = line.trim().split(/\s+/);
    if ((kind === 'dep' || kind === 'mod') && mod === module) return version;
  }
  return undefined;
}

/** Checks one binary; returns the first line of its version output (or its build-info version). */
export async function verifyBinary(file: string, spec: BinarySpec, version: string): Promise<string> {
  const recorded = await buildInfoVersion(file, spec.module);
  if (recorded !== version) throw new HatError(`${file}: build info has ${spec.module} ${recorded ?? '(none)'}, expected ${version}`);
  if (!spec.versionCheck) return `${spec.module} ${recorded} (build info)`;
  const { args, expect } = spec.versionCheck;
  const { stdout, stderr } = await run(file, args, { timeoutMs: 60_000 });
  const output = `${stdout}\n${stderr}`;
  if (!output.includes(expect)) throw new HatError(`${file} ${args.join(' ')}: expected "${expect}", got: ${output.trim().slice(0, 300)}`);
  return output.split('\n').find((line) => line.includes(expect))!.trim();
}
