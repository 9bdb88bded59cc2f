// The promote hook that checks the pipeline's artifacts (shared by the Task and `hat deploy`).
import { checkArtifact, chartRepositoryOf, type ArtifactCheckOptions } from './artifacts.ts';

export interface Artifacts {
  readonly version: string;
  readonly imageRepository?: string | undefined;
  readonly imageDigest?: string | undefined;
  readonly chartDigest?: string | undefined;
}

/** `{ beforeCommit }` for promote() when a digest is given, else nothing. */
export function artifactCheck(a: Artifacts, o: ArtifactCheckOptions): { beforeCommit?: (dependency: { name: string; repository: string }) => Promise<void> } {
  if (!a.imageDigest && !a.chartDigest) return {};
  return {
    async beforeCommit(dependency) {
      if (a.imageDigest) {
        if (a.imageRepository) await checkArtifact('image-digest', a.imageRepository, a.version, a.imageDigest, o);
        else o.log.warn('image-digest without image-repository: the image is not checked in the registry (only recorded)');
      }
      if (a.chartDigest) {
        const chart = chartRepositoryOf(dependency);
        if (chart) await checkArtifact('chart-digest', chart, a.version, a.chartDigest, o);
        else o.log.warn(`chart-digest: the env repo's chart repository ${dependency.repository} is not an OCI registry: the chart is not checked (only recorded)`);
      }
    },
  };
}
