// Reads a manifest (image, index, or Helm chart artifact) from a registry with basic auth.
import { basicAuth, httpRequest } from './http.ts';
import type { RegistryInfo } from './registry.ts';

export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

export type RegistryAccess = Pick<RegistryInfo, 'host' | 'username' | 'password'>;

export interface Manifest {
  digest: string;
  mediaType: string;
  body: string;
}

/** The manifest at <repository>:<reference> (tag or digest), or undefined when there is none (404). */
export async function getManifest(registry: RegistryAccess, repository: string, reference: string): Promise<Manifest | undefined> {
  const url = `http://${registry.host}/v2/${repository}/manifests/${reference}`;
  const response = await httpRequest(url, {
    headers: { accept: MANIFEST_MEDIA_TYPES.join(', '), authorization: basicAuth(registry.username, registry.password) },
  });
  if (response.status === 404) return undefined;
  if (response.status !== 200) {
    throw new Error(`GET ${url}: HTTP ${response.status} ${response.body.toString().slice(0, 200)}`);
  }
  const digest = response.headers['docker-content-digest'];
  if (typeof digest !== 'string') throw new Error(`GET ${url}: no Docker-Content-Digest header`);
  return { digest, mediaType: String(response.headers['content-type'] ?? ''), body: response.body.toString() };
}

/** sha256:… of <repository>:<reference>, or undefined when there is none. */
export async function getManifestDigest(registry: RegistryAccess, repository: string, reference: string): Promise<string | undefined> {
  return (await getManifest(registry, repository, reference))?.digest;
}
