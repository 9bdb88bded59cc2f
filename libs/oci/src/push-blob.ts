import { createHash } from 'node:crypto';
import { RegistryError } from './errors.ts';
import type { PushSession } from './push-request.ts';

/** An OCI content descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

export const sha256Digest = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Uploads a blob (monolithic POST + PUT) unless the repository already has it; returns its digest and size. */
export async function pushBlob(session: PushSession, repository: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256Digest(bytes);
  const scope = { repository, actions: ['pull', 'push'] as const };
  const head = await session.request({ ...scope, method: 'HEAD', path: `/v2/${repository}/blobs/${digest}` });
  if (head.status === 200) return { digest, size: bytes.length };
  const start = await session.request({ ...scope, method: 'POST', path: `/v2/${repository}/blobs/uploads/` });
  const location = start.headers.location;
  if (start.status !== 202 || !location) throw new RegistryError(`${session.registry}: starting a blob upload to ${repository} answered HTTP ${start.status}`);
  const upload = new URL(location, 'http://placeholder');
  upload.searchParams.set('digest', digest);
  const target = /^https?:\/\//.test(location) ? upload.toString() : `${upload.pathname}${upload.search}`;
  const put = await session.request({ ...scope, method: 'PUT', path: target, body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new RegistryError(`${session.registry}: uploading blob ${digest} to ${repository} answered HTTP ${put.status} ${put.body.toString('utf8').slice(0, 200)}`);
  return { digest, size: bytes.length };
}

/** Reads a blob and checks that its bytes hash to the digest asked for. */
export async function fetchBlob(session: PushSession, repository: string, digest: string): Promise<Buffer> {
  const response = await session.request({ repository, actions: ['pull'], method: 'GET', path: `/v2/${repository}/blobs/${digest}` });
  if (response.status !== 200) throw new RegistryError(`${session.registry}: GET blob ${repository}@${digest} answered HTTP ${response.status}`);
  const actual = sha256Digest(response.body);
  if (actual !== digest) throw new RegistryError(`${session.registry}: blob ${repository}@${digest} came back with bytes hashing to ${actual}`);
  return response.body;
}

/** Puts a manifest at a tag (or digest) and returns the digest of its bytes, checked against what the registry says. */
export async function pushManifest(session: PushSession, repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
  const digest = sha256Digest(bytes);
  const response = await session.request({
    repository,
    actions: ['pull', 'push'],
    method: 'PUT',
    path: `/v2/${repository}/manifests/${reference}`,
    body: bytes,
    headers: { 'content-type': mediaType },
  });
  if (response.status !== 201) throw new RegistryError(`${session.registry}: PUT manifest ${repository}:${reference} answered HTTP ${response.status} ${response.body.toString('utf8').slice(0, 200)}`);
  const served = response.headers['docker-content-digest'];
  if (typeof served === 'string' && served !== digest) throw new RegistryError(`${session.registry}: stored manifest ${repository}:${reference} as ${served}, but its bytes hash to ${digest}`);
  return digest;
}

/** The raw manifest bytes at a tag or digest, or undefined when there is none. */
export async function fetchManifest(session: PushSession, repository: string, reference: string, accept: readonly string[]): Promise<{ digest: string; mediaType: string; bytes: Buffer } | undefined> {
  const response = await session.request({ repository, actions: ['pull'], method: 'GET', path: `/v2/${repository}/manifests/${reference}`, headers: { accept: accept.join(', ') } });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new RegistryError(`${session.registry}: GET manifest ${repository}:${reference} answered HTTP ${response.status}`);
  const digest = sha256Digest(response.body);
  if (reference.startsWith('sha256:') && reference !== digest) throw new RegistryError(`${session.registry}: manifest ${repository}@${reference} came back with bytes hashing to ${digest}`);
  return { digest, mediaType: String(response.headers['content-type'] ?? ''), bytes: response.body };
}
