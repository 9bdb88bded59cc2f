// Registries the node's containerd may pull from over plain HTTP: one hosts.toml per registry host under the CRI
// plugin's config_path (containerd reads it on every pull, so adding one needs no restart). Only registries on this
// machine: a host whose address does not route local is refused.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HatError } from '@hat/task-runtime';
import { routeOf } from './network.ts';
import type { ClusterLayout } from './state.ts';

/** The CRI plugin's `config_path`: `<host:port>/hosts.toml` per registry. */
export const registryHostsDir = (l: ClusterLayout): string => path.join(l.containerd, 'certs.d');

const HOST_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/;

/** hosts.toml for a plain-HTTP registry: pulls and resolves go to http://host:port, nowhere else. */
export const plainHttpHostsToml = (host: string): string => `# Written by hat: pull ${host} over plain HTTP (a registry on this machine).
server = "http://${host}"

[host."http://${host}"]
  capabilities = ["pull", "resolve"]
`;

/**
 * Lets the node pull images from `host` (`<IPv4>:<port>`, an address of this machine) over plain HTTP. Returns the
 * file written. Throws a one-line error naming the host when it is malformed or not local.
 */
export async function allowPlainHttpRegistry(l: ClusterLayout, host: string): Promise<string> {
  const m = HOST_PORT.exec(host);
  if (!m) throw new HatError(`registry host: expected <IPv4 address>:<port> of a registry on this machine, got ${JSON.stringify(host)}`);
  const route = await routeOf(m[1]!);
  if (route.type !== 'local') throw new HatError(`registry host ${host}: ${m[1]} is not an address of this machine (ip route get: ${route.line}); only local registries may be pulled over plain HTTP`);
  const dir = path.join(registryHostsDir(l), host);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'hosts.toml');
  await writeFile(file, plainHttpHostsToml(host));
  return file;
}
