// Runs hat-tekton-validate (test/validator: Tekton's own webhook validation plus HAT's checks).
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { CommandError, HatError, InputError } from '@hat/task-runtime';
import { hasRepo, toolsBin } from '@hat/task-runner';
import { findValidator } from './validator-binary.ts';

const VALIDATOR = 'hat-tekton-validate';
/** In the repository: built by scripts/setup.sh. */
export const validatorPath = hasRepo ? path.join(toolsBin, VALIDATOR) : '';

export interface ValidateOptions {
  /** Regexes (whole image reference) of step images accepted without a digest, e.g. dev placeholders. */
  allowImages?: string[];
  /** Report objects of kinds the validator does not know as problems, instead of skipping them. */
  strictKinds?: boolean;
}

export interface ValidateResult {
  ok: boolean;
  /** One line per problem: `FILE: Kind/name: field.path: message`. */
  problems: string[];
  /** What the validator looked at: files read, objects of a kind it knows (Tekton, Triggers), objects of other kinds. */
  checked: { files: number; objects: number; unknown: number };
}

const SUMMARY = /^hat-tekton-validate: checked files=(\d+) objects=(\d+) unknown=(\d+)$/m;

/**
 * Validates Tekton and Triggers YAML files (multi-document). Problems in the files, unreadable files and
 * YAML syntax errors included, come back as `problems`; a missing validator or a bad option throws.
 */
export async function validateFiles(files: string[], opts: ValidateOptions = {}): Promise<ValidateResult> {
  if (files.length === 0) throw new InputError('validate: no files given');
  let binary = validatorPath;
  if (hasRepo) {
    try {
      await access(validatorPath, constants.X_OK);
    } catch {
      throw new HatError(`${VALIDATOR} is not built (${validatorPath}): run scripts/setup.sh`);
    }
  } else {
    binary = await findValidator();
  }
  const args = [...(opts.allowImages ?? []).flatMap((re) => ['--allow-image', re]), ...(opts.strictKinds ? ['--strict-kinds'] : []), '--', ...files];
  const res = await execa(binary, args, { reject: false, stripFinalNewline: true });
  const problems = res.stdout.split('\n').filter((line) => line.trim() !== '');
  const summary = SUMMARY.exec(res.stderr);
  const checked = { files: Number(summary?.[1] ?? 0), objects: Number(summary?.[2] ?? 0), unknown: Number(summary?.[3] ?? 0) };
  if (res.exitCode === 0) return { ok: true, problems: [], checked };
  if (res.exitCode === 1) return { ok: false, problems, checked };
  const stderr = res.stderr.replace(SUMMARY, '').trim();
  if (res.exitCode === 2) {
    // Unreadable files and YAML syntax errors are reported per file on stdout; a bad option on stderr.
    if (problems.length > 0) return { ok: false, problems, checked };
    throw new InputError(stderr || 'hat-tekton-validate: usage error');
  }
  throw new CommandError(
    `hat-tekton-validate failed (${res.exitCode === undefined ? (res.signal ?? 'no exit code') : `exit ${res.exitCode}`})`,
    binary,
    res.exitCode,
    stderr.split('\n').slice(-20).join('\n'),
    { cause: res },
  );
}
