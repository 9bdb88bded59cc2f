// Runs hat-tekton-validate (test/validator: Tekton's own webhook validation plus HAT's checks).
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { CommandError, HatError, InputError } from '@hat/task-runtime';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const validatorPath = path.join(repoRoot, '.tools', 'bin', 'hat-tekton-validate');

export interface ValidateOptions {
  /** Regexes (whole image reference) of step images accepted without a digest, e.g. dev placeholders. */
  allowImages?: string[];
}

export interface ValidateResult {
  ok: boolean;
  /** One line per problem: `FILE: Kind/name: field.path: message`. */
  problems: string[];
}

/**
 * Validates Tekton and Triggers YAML files (multi-document). Problems in the files, unreadable files and
 * YAML syntax errors included, come back as `problems`; a missing validator or a bad option throws.
 */
export async function validateFiles(files: string[], opts: ValidateOptions = {}): Promise<ValidateResult> {
  if (files.length === 0) throw new InputError('validate: no files given');
  try {
    await access(validatorPath, constants.X_OK);
  } catch {
    throw new HatError(`hat-tekton-validate is not built (${validatorPath}): run scripts/setup.sh`);
  }
  const args = [...(opts.allowImages ?? []).flatMap((re) => ['--allow-image', re]), '--', ...files];
  const res = await execa(validatorPath, args, { reject: false, stripFinalNewline: true });
  const problems = res.stdout.split('\n').filter((line) => line.trim() !== '');
  if (res.exitCode === 0) return { ok: true, problems: [] };
  if (res.exitCode === 1) return { ok: false, problems };
  const stderr = res.stderr.trim();
  if (res.exitCode === 2) {
    // Unreadable files and YAML syntax errors are reported per file on stdout; a bad option on stderr.
    if (problems.length > 0) return { ok: false, problems };
    throw new InputError(stderr || 'hat-tekton-validate: usage error');
  }
  throw new CommandError(
    `hat-tekton-validate failed (${res.exitCode === undefined ? (res.signal ?? 'no exit code') : `exit ${res.exitCode}`})`,
    validatorPath,
    res.exitCode,
    stderr.split('\n').slice(-20).join('\n'),
    { cause: res },
  );
}
