// Global setup of `npm run test:images`: the stack (git server, registry), containerd, and the task images as
// `hat catalog publish` builds them, imported into containerd (task-images.ts). Prints one line per image: name,
// digest, size, cold start (a fresh container whose program refuses a bad param, exit 2).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '@hat/task-runtime';
import { IMAGE_ENTRYPOINT } from '@hat/task-spec';
import { startContainerd, startStack } from '../stack/index.ts';
import './info.ts';
import { badParamEnv, publishTaskImages, timeContainer } from './task-images.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger({ prefix: 'test:images' });
  const stack = await startStack();
  const containerd = await startContainerd().catch(async (err: unknown) => {
    await stack.stop();
    throw err;
  });
  const work = await mkdtemp(path.join(os.tmpdir(), 'hat-images-'));
  const stop = async (): Promise<void> => {
    await containerd.stop();
    await stack.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    const { catalog, images, published } = await publishTaskImages(stack, containerd, work, log);
    for (const image of images) {
      const cold = await timeContainer(containerd, image.image, ['node', IMAGE_ENTRYPOINT], badParamEnv(image.program));
      process.stdout.write(`image ${image.program.padEnd(18)} ${image.digest}  ${(image.bytes / 1e6).toFixed(1).padStart(6)} MB  cold start ${Math.round(cold.ms)} ms (exit ${cold.exitCode})\n`);
    }
    project.provide('stack', stack.info());
    project.provide('images', {
      catalog,
      containerd: { address: containerd.address, namespace: containerd.namespace },
      images,
      published: published.map((p) => ({ task: p.task, version: p.version, image: p.image })),
    });
    return stop;
  } catch (err) {
    await stop();
    throw err;
  }
}
