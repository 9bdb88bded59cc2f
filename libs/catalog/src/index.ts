// The versioned Task catalog: plan, publish (images, bundles, version folders), verify (and rebuild), validate.
export { writeInstallIndex } from './install-index.ts';
export { DEFAULT_CATALOG_DIR, catalogTaskNames, publishedVersions, taskFilePath } from './layout.ts';
export type { TaskPlan } from './plan.ts';
export { publishCatalog, platformsOf } from './publish.ts';
export type { PublishOptions, PublishResult, PublishedVersion } from './publish.ts';
export { verifyCatalog } from './verify.ts';
export { formatRebuilt, rebuildCatalog, rebuildSummary } from './verify-rebuild.ts';
export type { RebuildOptions, RebuildResult, RebuiltVersion } from './verify-rebuild.ts';
export { validateFiles, validatorPath } from './validate.ts';
export type { ValidateOptions, ValidateResult } from './validate.ts';
export { APPLICATION_HEADER, APPPROJECT_HEADER, CATALOG_APP_DEFAULTS, CATALOG_APP_NAME, catalogApplication, catalogAppProject } from './argocd-objects.ts';
export type { CatalogAppOptions } from './argocd-objects.ts';
