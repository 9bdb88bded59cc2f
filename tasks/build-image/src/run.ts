import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRegistryClient, parseImageRef, RegistryAuthError, TransportError } from '@hat/oci';
import type { ParamsOf, ResultsOf } from '@hat/task-spec';
import { HatError, InputError, oneLine, withRetry, type TaskContext } from '@hat/task-runtime';
import { build, push, removeAll, type Store } from './buildah.ts';
import { RegistryRefusedError } from './buildah-errors.ts';
import { parseBuildArgs, parseList } from './lists.ts';
import { buildPaths } from './paths.ts';
import { registryAuth } from './registry-auth.ts';
import type { definition } from './task.ts';

type Params = ParamsOf<typeof definition>;

export async function run(params: Params, ctx: TaskContext): Promise<ResultsOf<typeof definition>> {
  const ref = parseImageRef(params.image);
  const repo = `${ref.registry}/${ref.repository}`;
  const tags = [...new Set([params.tag, ...parseList(params['extra-tags'] ?? '')])];
  const buildArgs = parseBuildArgs(params['build-args']);
  const source = ctx.workspace('source');
  if (!source) throw new InputError('workspace source is not bound');
  const paths = await buildPaths(source, params.context, params.dockerfile);

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'hat-build-image-'));
  const store: Store = { dir: scratch, authfile: '', tlsVerify: params['tls-verify'], signal: ctx.signal };
  try {
    await mkdir(path.join(scratch, 'tmp'));
    const auth = await registryAuth(ctx, ref.registry, scratch);
    const withAuth: Store = { ...store, authfile: auth.authfile };
    const registry = createRegistryClient({ registry: ref.registry, credential: auth.credential, tlsVerify: params['tls-verify'], signal: ctx.signal });

    // Fail before a long build when the registry is down or refuses the credential.
    try {
      await ctx.log.time(() => `registry ${ref.registry}: logged in (${auth.source})`, () => withRetry(ctx, `registry ${ref.registry}`, () => registry.checkAccess(ref.repository, ['pull', 'push'])));
    } catch (err) {
      if (err instanceof RegistryAuthError) {
        const status = /HTTP \d+/.exec(err.message)?.[0];
        throw new RegistryRefusedError(
          auth.credential ? `registry ${ref.registry} refused ${auth.source}${status ? ` (${status})` : ''}` : `registry ${ref.registry} requires a credential: ${auth.source}`,
          { cause: err },
        );
      }
      if (err instanceof TransportError && err.code === 'EPROTO') throw new InputError(`registry ${ref.registry} serves plain HTTP, not https: set tls-verify to "false" to use it`, { cause: err });
      throw err;
    }

    const name = `${repo}:${params.tag}`;
    const argNames = buildArgs.map(([k]) => k).join(', ');
    ctx.log.info(`building ${paths.shown}${params.target ? ` (stage ${params.target})` : ''}${argNames ? ` with build args ${argNames}` : ''}`);
    const imageId = await ctx.log.time((id: string) => `built image ${id.replace(/^sha256:/, '').slice(0, 12)}`, () => build(withAuth, { ...paths, name, buildArgs, target: params.target, onLine: (line) => ctx.log.info(`  ${line}`) }));

    let pushed: string | undefined;
    for (const tag of tags) {
      const destination = `${repo}:${tag}`;
      const digest = await ctx.log.time((d) => `pushed ${destination}@${d}`, () => withRetry(ctx, `registry ${ref.registry}`, () => push(withAuth, imageId, destination, ref.registry)));
      if (pushed && digest !== pushed) throw new HatError(`${destination} was pushed as ${digest}, but ${name} as ${pushed}`);
      pushed = digest;
    }

    // The digest is what the registry serves for each tag, not what buildah says it sent.
    for (const tag of tags) {
      const served = await withRetry(ctx, `registry ${ref.registry}`, () => registry.manifestDigest(ref.repository, tag));
      if (served !== pushed) throw new HatError(`registry ${ref.registry} serves ${repo}:${tag} as ${served ?? 'nothing'}, but buildah pushed ${pushed ?? '?'}`);
    }
    ctx.log.info(`registry serves ${tags.map((t) => `${repo}:${t}`).join(', ')} as ${pushed}`);
    return { IMAGE_URL: name, IMAGE_DIGEST: pushed ?? '' };
  } finally {
    if (existsSync(path.join(scratch, 'root'))) await removeAll(store).catch((err: unknown) => ctx.log.warn(`could not remove the build's images: ${oneLine(String(err))}`));
    await rm(scratch, { recursive: true, force: true }).catch((err: unknown) => ctx.log.warn(`could not remove ${scratch}: ${oneLine(String(err))}`));
  }
}
