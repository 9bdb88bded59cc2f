// Test helper: pushes a tiny OCI image (one config blob, no layers) with the registry API, so the client is
// checked against bytes it did not produce itself.
import { createHash } from 'node:crypto';
import http from 'node:http';

export interface PushTarget {
  readonly host: string;
  readonly username: string;
  readonly password: string;
}

function send(method: string, url: string, target: PushTarget, body?: Buffer, contentType?: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method,
      agent: false,
      headers: {
        authorization: `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`,
        ...(body ? { 'content-length': String(body.length), 'content-type': contentType ?? 'application/octet-stream' } : {}),
      },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Pushes `repository:tag` and returns the sha256 of the manifest bytes it sent. */
export async function pushTinyImage(target: PushTarget, repository: string, tag: string, label: string): Promise<string> {
  const base = `http://${target.host}`;
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { label } }, rootfs: { type: 'layers', diff_ids: [] } }));
  const start = await send('POST', `${base}/v2/${repository}/blobs/uploads/`, target);
  if (start.status !== 202 || !start.location) throw new Error(`upload start: HTTP ${start.status}`);
  const upload = new URL(start.location, base);
  upload.searchParams.set('digest', sha(config));
  const put = await send('PUT', upload.toString(), target, config);
  if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [],
  }));
  const m = await send('PUT', `${base}/v2/${repository}/manifests/${tag}`, target, manifest, 'application/vnd.oci.image.manifest.v1+json');
  if (m.status !== 201) throw new Error(`manifest put: HTTP ${m.status}`);
  return sha(manifest);
}
