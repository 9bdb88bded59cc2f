import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AuthError, HostKeyError, withGitConfig } from '@hat/git';
import type { ParamsOf, ResultsOf } from '@hat/task-spec';
import { assertWritable, HatError, withRetry, type TaskContext } from '@hat/task-runtime';
import { cloneAuth } from './auth.ts';
import { checkoutTarget, fetchTarget, headInfo, initRepo, updateSubmodules, type CheckoutOptions } from './checkout.ts';
import { emptyDir } from './clean-dir.ts';
import { resolveRevision, type Target } from './revision.ts';
import type { definition } from './task.ts';

type Params = ParamsOf<typeof definition>;

const describeTarget = (t: Target): string =>
  t.kind === 'commit' ? `commit ${t.sha}` : t.kind === 'ref' ? `ref ${t.ref} at ${t.sha.slice(0, 12)}` : `${t.kind} ${t.name} at ${t.sha.slice(0, 12)}`;

export async function run(params: Params, ctx: TaskContext): Promise<ResultsOf<typeof definition>> {
  const dir = ctx.workspace('output');
  if (!dir) throw new HatError('workspace output is not bound');
  const privateDir = await mkdtemp(path.join(os.tmpdir(), 'hat-git-clone-'));
  try {
    await mkdir(path.join(privateDir, 'home'), { recursive: true });
    const auth = await cloneAuth(ctx, params.url, privateDir);
    // safe.directory: the workspace root may belong to another user (a PVC, fsGroup); command-line scope, never a file.
    const env = withGitConfig(auth.env, [['safe.directory', dir]]);
    const depthText = params.depth === 0 ? 'full history' : `depth ${params.depth}`;
    ctx.log.info(`cloning ${params.url} at ${JSON.stringify(params.revision)} (${depthText}) with ${auth.source}`);
    await mkdir(dir, { recursive: true }).catch(() => undefined);
    await assertWritable(dir, 'output');
    if (params['delete-existing']) {
      const removed = await emptyDir(dir);
      if (removed > 0) ctx.log.info(`emptied the output workspace (${removed} entries)`);
    } else {
      await mkdir(dir, { recursive: true });
    }
    const opts: CheckoutOptions = { dir, url: params.url, revision: params.revision, depth: params.depth, fetchTags: params['fetch-tags'], env, signal: ctx.signal };
    try {
      const target = await ctx.log.time((t) => `revision ${JSON.stringify(params.revision)} is ${describeTarget(t)}`, () => withRetry(ctx, params.url, () => resolveRevision(params.revision, { url: params.url, env, signal: ctx.signal })));
      await initRepo(opts);
      await ctx.log.time(() => `fetched ${describeTarget(target)}`, () => withRetry(ctx, params.url, () => fetchTarget(target, opts)));
      await checkoutTarget(target, opts);
      if (params.submodules) await ctx.log.time('checked out submodules', () => withRetry(ctx, params.url, () => updateSubmodules(opts)));
    } catch (err) {
      if (err instanceof HostKeyError) throw new HostKeyError(`the host key of ${params.url} is not the one in ssh-directory's known_hosts`, { cause: err });
      if (err instanceof AuthError) throw new AuthError(`authentication refused by ${params.url} for ${auth.source}`, { cause: err });
      throw err;
    }
    const head = await headInfo(opts);
    ctx.log.info(`checked out ${head.commit}`);
    return {
      commit: head.commit,
      url: params.url,
      'committer-date': head.committerDate,
      'CHAINS-GIT_URL': params.url,
      'CHAINS-GIT_COMMIT': head.commit,
    };
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
}
