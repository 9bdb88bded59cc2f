// A docker-style auth file (config.json) for a registry: works as HELM_REGISTRY_CONFIG and as
// buildah/skopeo --authfile (REGISTRY_AUTH_FILE), so no `login` step is needed.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RegistryAccess } from './manifest.ts';

export function registryAuthJson(registry: RegistryAccess): string {
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
  return `${JSON.stringify({ auths: { [registry.host]: { auth } } }, null, 2)}\n`;
}

export async function writeRegistryAuthFile(registry: RegistryAccess, file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, registryAuthJson(registry), { mode: 0o600 });
  return file;
}
