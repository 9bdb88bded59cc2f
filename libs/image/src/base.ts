// One call for a base image: pins → node and helm binaries → rootfs → image, each step cached per user.
import { createLogger, type Logger } from '@hat/task-runtime';
import { ensureBaseImage, type BaseImage } from './base-image.ts';
import { debianMirror } from './debian-mirror.ts';
import { helmBinary } from './helm-binary.ts';
import { ensureNodeBinary } from './node-binary.ts';
import { readPins } from './pins.ts';
import { ensureRootfs, type Rootfs } from './rootfs.ts';
import type { BaseVariant } from './variants.ts';

export interface BaseOptions {
  readonly log?: Logger;
  readonly cacheDir?: string;
}

export async function ensureRootfsOf(variant: BaseVariant, opts: BaseOptions = {}): Promise<Rootfs> {
  const log = opts.log ?? createLogger();
  const pins = readPins();
  const [nodeBinary, helm] = [await ensureNodeBinary(pins, log), await helmBinary(pins)];
  const mirror = await debianMirror(pins.debianSuite);
  return ensureRootfs({ variant, pins, mirror, nodeBinary, helmBinary: helm }, log, opts.cacheDir ? { cacheDir: opts.cacheDir } : {});
}

export async function ensureBase(variant: BaseVariant, opts: BaseOptions = {}): Promise<BaseImage> {
  const log = opts.log ?? createLogger();
  const rootfs = await ensureRootfsOf(variant, opts);
  return ensureBaseImage(variant, rootfs, log, opts.cacheDir);
}
