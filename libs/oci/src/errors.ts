import { HatError } from '@hat/task-runtime';

/** The registry refused the credential (or needs one and none was given): never retried. */
export class RegistryAuthError extends HatError {
  override readonly name = 'RegistryAuthError';
}

/** The registry answered something the client cannot use (bad manifest, digest mismatch, unexpected status). */
export class RegistryError extends HatError {
  override readonly name = 'RegistryError';
}
