import { InputError } from '@hat/task-runtime';

/** An OCI chart repository: `oci://host[:port]/path` (the path may be empty for a registry root). */
export interface OciRepository {
  /** `host[:port]`, what `helm registry login` takes. */
  readonly host: string;
  /** Repository path below the host, without slashes at either end; '' for the root. */
  readonly path: string;
  /** `oci://host/path`, normalised. */
  readonly url: string;
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:]+\](:\d{1,5})?$/;
const PATH_SEGMENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Parses `oci://host/path`; anything else (http://, ChartMuseum, no scheme) is an InputError. */
export function parseOciRepository(url: string): OciRepository {
  const match = /^oci:\/\/([^/]+)(\/.*)?$/.exec(url.trim());
  if (!match) {
    throw new InputError(`chart repository ${JSON.stringify(url)} is not an OCI URL (oci://host/path); classic HTTP repositories (ChartMuseum) are not supported`);
  }
  const host = match[1] ?? '';
  const repoPath = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (!HOST.test(host)) throw new InputError(`chart repository ${JSON.stringify(url)}: bad registry host ${JSON.stringify(host)}`);
  if (repoPath !== '' && !repoPath.split('/').every((s) => PATH_SEGMENT.test(s))) {
    throw new InputError(`chart repository ${JSON.stringify(url)}: path segments must be lower-case [a-z0-9] separated by . _ __ or -`);
  }
  return { host, path: repoPath, url: `oci://${host}${repoPath ? `/${repoPath}` : ''}` };
}

/** `oci://host/path/<chart>` — what pull, show and dependencies name. */
export const chartUrl = (repo: OciRepository, chart: string): string => `${repo.url}/${chart}`;

/** `host/path/<chart>` — the OCI repository of one chart, e.g. for Tekton Chains' ARTIFACT_URI. */
export const chartRepositoryName = (repo: OciRepository, chart: string): string => `${repo.host}${repo.path ? `/${repo.path}` : ''}/${chart}`;

/** The OCI tag helm stores a chart version under (`+` is not allowed in tags; helm writes `_`). */
export const ociTagOf = (version: string): string => version.replaceAll('+', '_');
