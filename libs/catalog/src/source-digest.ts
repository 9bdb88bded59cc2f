// What a published version is made of, as one digest: same inputs → same digest → nothing to publish.
import { createHash } from 'node:crypto';
import type { TaskDefinition } from '@hat/task-spec';
import { canonicalJson, renderedForComparison } from './task-file.ts';

export const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export interface SourceInputs {
  readonly def: TaskDefinition;
  /** sha256 of the program bundle. */
  readonly programDigest: string;
  /** Digest of the base image (`sha256:…`; the registry name does not matter). */
  readonly baseDigest: string;
  /** sha256 of Dockerfile.task. */
  readonly dockerfileDigest: string;
}

/**
 * sha256 over: the rendered Task without its image and version (canonical JSON), the program bundle, the base image
 * digest and Dockerfile.task. The image is a function of the last three (builds are reproducible), so equal source
 * digests mean an equal Task and an equal image.
 */
export function sourceDigest(inputs: SourceInputs): string {
  return sha256(
    [
      'hat-catalog-source/v1',
      `task ${sha256(canonicalJson(renderedForComparison(inputs.def)))}`,
      `program ${inputs.programDigest}`,
      `base ${inputs.baseDigest}`,
      `dockerfile ${inputs.dockerfileDigest}`,
      '',
    ].join('\n'),
  );
}
