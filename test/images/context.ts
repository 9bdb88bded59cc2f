// How an image test file gets what test/images/global-setup.ts provides.
import { inject } from 'vitest';
import type { ContainerRuntime } from '@hat/task-runner';
import { connectStack, ctrRuntime, type ConnectedStack } from '../stack/index.ts';
import type { ImagesInfo } from './info.ts';

export type { ImagesInfo, TaskImage } from './info.ts';

export interface ImagesContext extends ImagesInfo {
  readonly stack: ConnectedStack;
  readonly runtime: ContainerRuntime;
}

export function injectImages(): ImagesContext {
  const info = inject('images');
  return { ...info, stack: connectStack(inject('stack')), runtime: ctrRuntime(info.containerd.address, info.containerd.namespace) };
}
