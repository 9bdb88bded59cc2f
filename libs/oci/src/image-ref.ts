import { InputError } from '@hat/task-runtime';

/** An image reference split the way registries see it. */
export interface ImageRef {
  /** Host (and port) as written, e.g. `ghcr.io`, `127.0.0.1:5000`, `docker.io`. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `acme/app` (Docker Hub: `library/nginx`). */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

// distribution/reference grammar (lower-case path components, tags of at most 128 characters).
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DOCKER_HUB = 'docker.io';

const looksLikeHost = (part: string): boolean => part.includes('.') || part.includes(':') || part === 'localhost';

export const isValidTag = (tag: string): boolean => TAG.test(tag);

/** Parses `[registry/]repository[:tag][@digest]`; Docker Hub short names get `docker.io` and `library/`. */
export function parseImageRef(ref: string): ImageRef {
  const bad = (why: string): InputError => new InputError(`bad image reference ${JSON.stringify(ref)}: ${why}`);
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad('the digest must be sha256:<64 hex>');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) throw bad(`tag ${JSON.stringify(tag)} is not valid ([A-Za-z0-9_.-], at most 128, not starting with . or -)`);
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  const hasHost = parts.length > 1 && looksLikeHost(first);
  const registry = hasHost ? first : DOCKER_HUB;
  const path = hasHost ? parts.slice(1) : parts;
  if (registry === DOCKER_HUB && path.length === 1) path.unshift('library');
  if (path.length === 0 || path.some((p) => !COMPONENT.test(p))) throw bad('the repository must be lower-case path components [a-z0-9._-]');
  return { registry, repository: path.join('/'), tag, digest };
}

/** `registry/repository[:tag][@digest]`. */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host that serves the registry API (Docker Hub's API lives on another name than its references). */
export const apiHost = (registry: string): string => (registry === DOCKER_HUB ? 'registry-1.docker.io' : registry);
