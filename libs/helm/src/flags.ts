export interface RegistryFlags {
  /** Talk plain HTTP to OCI registries (a local registry without TLS). */
  readonly plainHttp?: boolean;
}

export const plainHttpFlag = (opts: RegistryFlags): string[] => (opts.plainHttp ? ['--plain-http'] : []);
