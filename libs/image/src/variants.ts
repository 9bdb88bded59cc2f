// The base images HAT builds: one root file system recipe, three variants. Every task image is one of them plus its
// program bundle (Dockerfile.task); build-image needs buildah, so it gets the buildah variant.

export interface BaseVariant {
  readonly name: 'node' | 'buildah' | 'cluster';
  /** Image repository under the registry prefix: <prefix>/hat/<repository>. */
  readonly repository: string;
  /** Debian packages on top of minbase (debootstrap --include). */
  readonly packages: readonly string[];
  /** Installed afterwards with apt-get in the new root (debootstrap cannot configure some, e.g. buildah's). */
  readonly extraPackages: readonly string[];
  /** The image's USER (Dockerfile.base ARG HAT_USER); a Task's runAsUser must match it. */
  readonly user: string;
}

/** git (and git over ssh: openssh-client), TLS roots, tini as PID 1; node and helm are added from their pins. */
const COMMON = ['git', 'ca-certificates', 'openssh-client', 'tini'] as const;

export const BASE_VARIANTS: Readonly<Record<BaseVariant['name'], BaseVariant>> = {
  node: { name: 'node', repository: 'base', packages: [...COMMON], extraPackages: [], user: '65532:65532' },
  // buildah maps every uid of the images it builds: it runs as root (see tasks/build-image/README.md).
  buildah: { name: 'buildah', repository: 'base-buildah', packages: [...COMMON], extraPackages: ['buildah'], user: '0:0' },
  // Not a task base: the base of the images `hat cluster up` builds for Tekton, Triggers and Argo CD (git and tini for
  // Tekton's resolvers, git/ssh/helm for Argo CD's repo-server, and Debian's redis-server for Argo CD's cache).
  cluster: { name: 'cluster', repository: 'cluster-base', packages: [...COMMON, 'redis-server'], extraPackages: [], user: '65532:65532' },
};

/** The unprivileged user every other task runs as (also in the Task's securityContext). */
export const TASK_UID = 65532;
