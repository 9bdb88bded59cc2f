// test/stack: real servers on 127.0.0.1 for tests and the CLI demo. Vitest-only helpers: ./vitest.ts.
export { startGitServer } from './src/git-server.ts';
export type { GitServer, GitServerOptions } from './src/git-server.ts';
export { connectGitServer } from './src/git-repos.ts';
export type { CreateRepoOptions, GitRepo, GitRepos, GitServerInfo } from './src/git-repos.ts';
export type { SeedFiles, SeedOptions } from './src/git-seed.ts';
export { gitAuthConfigArgs, gitAuthEnv, urlWithAuth } from './src/git-auth.ts';
export type { Credential } from './src/htpasswd.ts';
export { startRegistry } from './src/registry.ts';
export type { Registry, RegistryInfo, RegistryOptions } from './src/registry.ts';
export { getManifest, getManifestDigest, MANIFEST_MEDIA_TYPES } from './src/manifest.ts';
export type { Manifest, RegistryAccess } from './src/manifest.ts';
export { registryAuthJson, writeRegistryAuthFile } from './src/registry-auth.ts';
export { connectStack, startStack } from './src/stack.ts';
export type { ConnectedStack, Stack, StackInfo, StackOptions } from './src/stack.ts';
export { basicAuth } from './src/http.ts';
export { DEFAULT_MAX_SECONDS } from './src/lifetime.ts';
export { privateKeyLines, startSshServer } from './src/ssh-server.ts';
export type { SshKey, SshServer, SshServerOptions } from './src/ssh-server.ts';
