export { parseChallenge } from './challenge.ts';
export type { Challenge } from './challenge.ts';
export { createRegistryClient, MANIFEST_MEDIA_TYPES } from './client.ts';
export type { Manifest, RegistryClient, RegistryClientOptions } from './client.ts';
export { credentialFor, normaliseAuthKey, parseDockerConfig, readDockerConfig } from './docker-config.ts';
export type { DockerConfig, RegistryCredential } from './docker-config.ts';
export { RegistryAuthError, RegistryError } from './errors.ts';
export { httpRequest, TransportError, UnreachableError } from './http.ts';
export type { HttpRequest, HttpResponse } from './http.ts';
export { apiHost, formatImageRef, isValidTag, parseImageRef } from './image-ref.ts';
export type { ImageRef } from './image-ref.ts';
// Pushing artifacts and Tekton bundles (hat catalog publish).
export { createPushSession } from './push-request.ts';
export type { PushSession, PushTarget, RawResponse, SessionRequest } from './push-request.ts';
export { fetchBlob, fetchManifest, pushBlob, pushManifest, sha256Digest } from './push-blob.ts';
export type { Descriptor } from './push-blob.ts';
export { readFirstTarFile, singleFileTar } from './bundle-tar.ts';
export { buildTektonBundle, pushTektonBundle, readTektonBundle, TEKTON_BUNDLE_ANNOTATIONS, TEKTON_BUNDLE_MAX_RESOURCES } from './bundle-tekton.ts';
export type { BuiltBundle, BundleResource, ReadBundleResource } from './bundle-tekton.ts';
