// Artifacts checked before a deploy commit: the image and the chart the pipeline reports (their digests) must be in
// the registry at the version being deployed, with exactly those digests. A missing artifact or another digest is
// refused (exit 2) with nothing pushed: an env repo never points at something that is not there, or not what was
// built. Read-only registry credentials are enough.
import { createRegistryClient, parseImageRef, RegistryAuthError, type RegistryCredential } from '@hat/oci';
import { HatError, InputError, oneLine, withRetry, type Logger } from '@hat/task-runtime';

export const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface ArtifactCheckOptions {
  readonly credential?: RegistryCredential | undefined;
  /** false: the registry may serve plain HTTP (or an unverified certificate). */
  readonly tlsVerify: boolean;
  /** Names the credential in errors, e.g. "Secret hat-gitops-prod keys registry-username, registry-password". */
  readonly credentialSource: string;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

/** `<repository>:<tag>` must resolve to `digest`; `param` (image-digest, chart-digest) is named in every error. */
export async function checkArtifact(param: string, repository: string, tag: string, digest: string, o: ArtifactCheckOptions): Promise<void> {
  const ref = parseImageRef(`${repository}:${tag}`);
  const name = `${ref.registry}/${ref.repository}:${tag}`;
  const client = createRegistryClient({ registry: ref.registry, credential: o.credential, tlsVerify: o.tlsVerify, ...(o.signal ? { signal: o.signal } : {}) });
  let actual: string | undefined;
  try {
    actual = await withRetry({ log: o.log, ...(o.signal ? { signal: o.signal } : {}) }, `registry ${ref.registry}`, () => client.manifestDigest(ref.repository, tag));
  } catch (err) {
    if (err instanceof RegistryAuthError) throw new HatError(`${param}: cannot check ${name}: ${oneLine(err.message)}; read access comes from ${o.credentialSource}`);
    throw new HatError(`${param}: cannot check ${name}: ${oneLine(err instanceof Error ? err.message : String(err))}; nothing pushed`);
  }
  if (actual === undefined) throw new InputError(`${param}: ${name} is not in the registry (expected ${digest}); nothing pushed`);
  if (actual !== digest) throw new InputError(`${param}: ${name} is ${actual} in the registry, not ${digest}; nothing pushed`);
  o.log.info(`${param}: ${name} is ${digest}`);
}

/** The OCI reference of the chart an env repo's dependency names (`oci://host/path` + name), or undefined when not OCI. */
export const chartRepositoryOf = (dependency: { readonly name: string; readonly repository?: string | undefined }): string | undefined =>
  dependency.repository?.startsWith('oci://') ? `${dependency.repository.slice('oci://'.length).replace(/\/+$/, '')}/${dependency.name}` : undefined;
