// What test/images/global-setup.ts provides to the image tests (serialisable; no vitest import here).
import type { StackInfo } from '../stack/index.ts';

export interface TaskImage {
  readonly program: string;
  /** The exact reference the published Task's step names (`ghcr.io/hat-project/hat/<program>:<v>@sha256:…`). */
  readonly image: string;
  readonly digest: string;
  /** Compressed size (the layers and config a pull transfers). */
  readonly bytes: number;
}

export interface ImagesInfo {
  /** A catalog published from the current source into a temp dir (Task YAML with real, pinned images). */
  readonly catalog: string;
  readonly containerd: { readonly address: string; readonly namespace: string };
  readonly images: readonly TaskImage[];
  /** The versions that publish made in the temp catalog (every Task at 1.0.0), with their pinned images. */
  readonly published: readonly { readonly task: string; readonly version: string; readonly image: string }[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    images: ImagesInfo;
    stack: StackInfo;
  }
}

