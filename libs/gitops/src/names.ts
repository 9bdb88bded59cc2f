// Name and tag checks shared by deploy tasks.

const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Masterminds/semver v3 `semVerRegex`, which Helm's NewVersion uses for chart versions: lenient about
// missing minor/patch and a `v` prefix (`1.10`, `v1.2.3` pass), strict about leading zeros.
const HELM_VERSION = new RegExp(
  '^v?(0|[1-9]\\d*)(?:\\.(0|[1-9]\\d*))?(?:\\.(0|[1-9]\\d*))?' +
    '(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?' +
    '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$',
);

/** An OCI distribution tag: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`. */
export function isValidOciTag(tag: string): boolean {
  return OCI_TAG.test(tag);
}

/** A Kubernetes DNS-1123 label: lower-case alphanumerics and '-', alphanumeric at both ends, at most 63 chars. */
export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** A version Helm accepts as a chart version (Masterminds semver, lenient: `1.10`, `v1.2.3`, `1.2.3-rc.1+b`). */
export function isHelmChartVersion(version: string): boolean {
  return HELM_VERSION.test(version);
}

/** The OCI tag Helm pushes a chart version under: `+` is not allowed in tags, Helm writes `_`. */
export function ociTagForVersion(version: string): string {
  return version.replaceAll('+', '_');
}
