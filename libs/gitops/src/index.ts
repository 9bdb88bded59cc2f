// @hat/gitops: the env repo model (apps/<app>/{Chart.yaml, values.yaml, Chart.lock}) with byte-exact edits.
export { readAppState, applyDeploy } from './app-state.ts';
export type { AppFiles, AppPaths, AppState, DeployOptions, DeployResult } from './app-state.ts';
export { readAppFiles, appPaths } from './app-files.ts';
export { appDir, appFolder, LAYOUT_FILE, layoutFile, LAYOUTS, parseLayout, readLayout, shardOf } from './layout.ts';
export type { Layout } from './layout.ts';
export type { ChartDependency } from './chart-file.ts';
export type { LockState } from './chart-lock.ts';
export { computeLockDigest, rfc3339Nano } from './chart-lock.ts';
export { GitopsError, GITOPS_ERROR_CODES, gitopsExitCode, isGitopsError } from './errors.ts';
export type { GitopsErrorCode } from './errors.ts';
export { unifiedDiff } from './unified-diff.ts';
export { parseSemver, compareSemver, formatSemver, isSemver } from './semver.ts';
export type { SemVer } from './semver.ts';
export { isValidOciTag, isDns1123Label, isHelmChartVersion, ociTagForVersion } from './names.ts';
export { setScalars } from './set-scalars.ts';
export type { ScalarEdit } from './set-scalars.ts';
