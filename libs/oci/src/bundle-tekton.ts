// Tekton bundles (tektoncd/pipeline docs/tekton-bundle-contracts.md): an OCI image manifest whose layers each
// hold one Tekton resource, as a tar with one file, annotated with the resource's apiVersion, kind and name.
import { RegistryError } from './errors.ts';
import { fetchBlob, fetchManifest, pushBlob, pushManifest, sha256Digest, type Descriptor } from './push-blob.ts';
import type { PushSession } from './push-request.ts';
import { readFirstTarFile, singleFileTar } from './bundle-tar.ts';

export const TEKTON_BUNDLE_ANNOTATIONS = {
  apiVersion: 'dev.tekton.image.apiVersion',
  kind: 'dev.tekton.image.kind',
  name: 'dev.tekton.image.name',
} as const;
/** Tekton's limit on resources per bundle. */
export const TEKTON_BUNDLE_MAX_RESOURCES = 10;

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

export interface BundleResource {
  readonly apiVersion: string;
  /** As in the resource (`Task`); the layer annotation is lower-cased, as the contract asks. */
  readonly kind: string;
  readonly name: string;
  /** The resource as YAML or JSON, stored as is. */
  readonly content: Buffer;
}

export interface BuiltBundle {
  readonly manifest: Buffer;
  readonly config: Buffer;
  readonly layers: readonly Buffer[];
  readonly digest: string;
}

/** Builds the bundle's blobs and manifest; the same resources always give the same digest. */
export function buildTektonBundle(resources: readonly BundleResource[], manifestAnnotations: Readonly<Record<string, string>> = {}): BuiltBundle {
  if (resources.length === 0 || resources.length > TEKTON_BUNDLE_MAX_RESOURCES) throw new RangeError(`a Tekton bundle holds 1 to ${TEKTON_BUNDLE_MAX_RESOURCES} resources (got ${resources.length})`);
  const seen = new Set<string>();
  for (const r of resources) {
    const key = `${r.apiVersion}/${r.kind.toLowerCase()}/${r.name}`;
    if (seen.has(key)) throw new RangeError(`a Tekton bundle cannot hold ${key} twice`);
    seen.add(key);
  }
  const layers = resources.map((r) => singleFileTar(`${r.kind.toLowerCase()}-${r.name}.yaml`, r.content));
  const layerDigests = layers.map((l) => sha256Digest(l));
  const config = Buffer.from(JSON.stringify({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: layerDigests } }));
  const descriptors: Descriptor[] = resources.map((r, i) => ({
    mediaType: OCI_LAYER_TAR,
    digest: layerDigests[i] ?? '',
    size: layers[i]?.length ?? 0,
    annotations: {
      [TEKTON_BUNDLE_ANNOTATIONS.apiVersion]: r.apiVersion,
      [TEKTON_BUNDLE_ANNOTATIONS.kind]: r.kind.toLowerCase(),
      [TEKTON_BUNDLE_ANNOTATIONS.name]: r.name,
    },
  }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256Digest(config), size: config.length },
      layers: descriptors,
      ...(Object.keys(manifestAnnotations).length > 0 ? { annotations: manifestAnnotations } : {}),
    }),
  );
  return { manifest, config, layers, digest: sha256Digest(manifest) };
}

/** Pushes a Tekton bundle to `repository:tag` and returns the manifest digest (what `bundle: …@sha256:` pins). */
export async function pushTektonBundle(
  session: PushSession,
  repository: string,
  tag: string,
  resources: readonly BundleResource[],
  manifestAnnotations: Readonly<Record<string, string>> = {},
): Promise<string> {
  const bundle = buildTektonBundle(resources, manifestAnnotations);
  for (const layer of bundle.layers) await pushBlob(session, repository, layer);
  await pushBlob(session, repository, bundle.config);
  const digest = await pushManifest(session, repository, tag, bundle.manifest, OCI_MANIFEST);
  if (digest !== bundle.digest) throw new RegistryError(`bundle ${repository}:${tag}: pushed digest ${digest} differs from the built ${bundle.digest}`);
  return digest;
}

export interface ReadBundleResource {
  readonly annotations: Readonly<Record<string, string>>;
  readonly mediaType: string;
  readonly fileName: string;
  readonly content: Buffer;
}

interface ManifestJson {
  mediaType?: string;
  layers?: Array<{ mediaType?: string; digest?: string; annotations?: Record<string, string> }>;
}

/** Reads a Tekton bundle back the way Tekton's bundle resolver does: manifest, then each layer's first tar entry. */
export async function readTektonBundle(session: PushSession, repository: string, reference: string): Promise<{ digest: string; resources: ReadBundleResource[] } | undefined> {
  const manifest = await fetchManifest(session, repository, reference, [OCI_MANIFEST]);
  if (!manifest) return undefined;
  const json = JSON.parse(manifest.bytes.toString('utf8')) as ManifestJson;
  const resources: ReadBundleResource[] = [];
  for (const layer of json.layers ?? []) {
    if (!layer.digest) throw new RegistryError(`bundle ${repository}:${reference} has a layer without a digest`);
    const tar = await fetchBlob(session, repository, layer.digest);
    const file = readFirstTarFile(tar);
    resources.push({ annotations: layer.annotations ?? {}, mediaType: layer.mediaType ?? '', fileName: file.name, content: file.content });
  }
  return { digest: manifest.digest, resources };
}
