// bench/images: each task image's size, and its cold start in a real container (containerd + runc, `ctr run`,
// read-only root, host network) given invalid params (the program validates and exits 2), next to bare `node -e 0`
// in a fresh container of the same image. Medians of N runs, interleaved. Needs root (containerd, buildah).
// Run: npx tsx bench/images.ts [runs]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@hat/task-runtime';
import { IMAGE_ENTRYPOINT } from '@hat/task-spec';
import { startContainerd, startStack } from '../test/stack/index.ts';
import { badParamEnv, publishTaskImages, timeContainer } from '../test/images/task-images.ts';
import { median, ms, printTable } from './lib.ts';

const runs = Number(process.argv[2] ?? 7);
const stack = await startStack();
const containerd = await startContainerd();
const work = await mkdtemp(path.join(os.tmpdir(), 'hat-bench-images-'));
try {
  const { images } = await publishTaskImages(stack, containerd, work, createLogger({ prefix: 'bench' }));
  const rows: string[][] = [];
  let worst = 0;
  for (const image of images) {
    const env = badParamEnv(image.program);
    // One warm-up each (the first container of an image also mounts its snapshot for the first time).
    await timeContainer(containerd, image.image, ['node', '-e', '0']);
    const task: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = await timeContainer(containerd, image.image, ['node', IMAGE_ENTRYPOINT], env);
      if (t.exitCode !== 2) throw new Error(`${image.program}: expected exit 2 on invalid params, got ${t.exitCode}`);
      task.push(t.ms);
      bare.push((await timeContainer(containerd, image.image, ['node', '-e', '0'])).ms);
    }
    const [t, b] = [median(task), median(bare)];
    worst = Math.max(worst, t - b);
    rows.push([image.program, `${(image.bytes / 1e6).toFixed(1)} MB`, ms(b), ms(t), ms(t - b)]);
  }
  console.log(`bench/images: medians of ${runs} fresh containers each (ctr run --rm --read-only, interleaved)\n`);
  printTable(['image', 'size (compressed)', 'node -e 0 in it', 'task, invalid params', 'task over node'], rows);
  console.log(`\nimages: worst_task_over_node=${worst.toFixed(1)}ms`);
} finally {
  await containerd.stop();
  await stack.stop();
  await rm(work, { recursive: true, force: true });
}
