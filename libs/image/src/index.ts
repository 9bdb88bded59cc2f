// The HAT base images: a reproducible Debian root file system (debootstrap) with node and helm, built with buildah.
export { ensureBase, ensureRootfsOf } from './base.ts';
export type { BaseOptions } from './base.ts';
export { BASE_DOCKERFILE, buildBaseArchive, ensureBaseImage, pushArchive } from './base-image.ts';
export type { BaseImage, PushTarget } from './base-image.ts';
export { buildOciArchive } from './oci-archive.ts';
export type { OciArchiveBuild } from './oci-archive.ts';
export { readPins } from './pins.ts';
export type { Pins } from './pins.ts';
export { reproducibleTar } from './rootfs.ts';
export type { Rootfs } from './rootfs.ts';
export { cachedEntry, exists, inputKey, sha256File, userCacheDir } from './user-cache.ts';
export { BASE_VARIANTS, TASK_UID } from './variants.ts';
export type { BaseVariant } from './variants.ts';
