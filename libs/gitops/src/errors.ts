// Typed errors of the env repo model. Messages are one line and name the file (and line when known).

/** What went wrong; the caller maps codes to exit codes with {@link gitopsExitCode}. */
export const GITOPS_ERROR_CODES = [
  'MALFORMED_YAML', // a file does not parse as YAML
  'NO_DEPENDENCY', // Chart.yaml has no `dependencies` or an empty list
  'AMBIGUOUS_DEPENDENCY', // several dependencies and none is named after the app
  'INVALID_DEPENDENCY', // a dependency entry is not a mapping or lacks name/repository
  'ALIAS_NOT_EDITABLE', // the value to edit is an alias (*x) or sits behind one or behind a merge key (<<)
  'UNEXPECTED_SHAPE', // e.g. `image: nginx` where a mapping is needed, a block scalar tag, a non-mapping root
  'KEY_IN_LATER_DOCUMENT', // values.yaml has the dependency key only in a later document, which Helm ignores
  'LOCK_OUT_OF_SYNC', // Chart.lock does not match Chart.yaml before the edit
  'INVALID_VERSION', // the requested version / image tag is not usable (bad input)
  'INVALID_LAYOUT', // hat.yaml names a layout HAT does not know
] as const;
export type GitopsErrorCode = (typeof GITOPS_ERROR_CODES)[number];

/** Exit code per error code: bad input is 2 (never retried); broken env repo content is a failure, 1. */
export function gitopsExitCode(code: GitopsErrorCode): 1 | 2 {
  return code === 'INVALID_VERSION' ? 2 : 1;
}

export interface GitopsErrorOptions {
  file?: string;
  line?: number;
  cause?: unknown;
}

export class GitopsError extends Error {
  override readonly name = 'GitopsError';
  readonly code: GitopsErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly exitCode: 1 | 2;

  constructor(code: GitopsErrorCode, detail: string, opts: GitopsErrorOptions = {}) {
    const where = opts.file === undefined ? '' : opts.line === undefined ? `${opts.file}: ` : `${opts.file}:${opts.line}: `;
    super(`${where}${detail.replace(/\s*\n\s*/g, ' ')}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.file = opts.file;
    this.line = opts.line;
    this.exitCode = gitopsExitCode(code);
  }
}

export function isGitopsError(e: unknown): e is GitopsError {
  return e instanceof GitopsError;
}
