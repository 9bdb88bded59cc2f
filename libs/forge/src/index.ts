export { createForge, FORGE_PROVIDERS } from './gitea.ts';
export type { Forge, ForgeOptions, ForgeProvider, PullRequest, PullRequestText } from './gitea.ts';
export { forgeRepoOf } from './repo-path.ts';
export type { ForgeRepo } from './repo-path.ts';
