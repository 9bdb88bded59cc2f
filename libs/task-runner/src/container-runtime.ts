// What the local runner needs from a container runtime to run a step the way a kubelet would: the step's image,
// command, env, bind mounts for its volumes, workspaces and results, and its securityContext. test/stack implements
// it with containerd's ctr; the host runner (no runtime) runs the program's bundle with this host's node instead.

export interface ContainerMount {
  readonly source: string;
  readonly destination: string;
  readonly readOnly: boolean;
}

export interface ContainerStep {
  /** A name for the container (unique per run). */
  readonly name: string;
  readonly image: string;
  /** The step's command and args; empty: the image's entrypoint. */
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workingDir: string | undefined;
  readonly mounts: readonly ContainerMount[];
  /** The step's Kubernetes securityContext, as the Task says. */
  readonly securityContext: Readonly<Record<string, unknown>>;
  readonly onLine: (line: string) => void;
  readonly signal?: AbortSignal | undefined;
}

export interface ContainerRuntime {
  /** Runs the step to its end; returns its exit code. */
  run(step: ContainerStep): Promise<number>;
}

/** Where Tekton puts a step's results, and workspaces, inside the pod. */
export const POD_RESULTS_DIR = '/tekton/results';
export const podWorkspacePath = (workspace: string): string => `/workspace/${workspace}`;
