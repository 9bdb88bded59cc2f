// A request (this run's own, or one the landing queue hands this run to land) checked and built the same way:
// require-upstream, then the artifact checks the commit runs. Part of the deploy program's lander: loaded only by a
// run that pushes (run.ts), not by one that files its request and waits.
import type { TaskContext } from '@hat/task-runtime';
import type { EnvRepoConfig } from './credentials.ts';
import type { PromoteRequest } from './promote.ts';
import type { QueuedParams } from './queued.ts';
import { checkUpstream } from './upstream.ts';
import type { DeployRecord } from './history.ts';
import { artifactCheck } from './artifact-hook.ts';

export interface PrepareOptions {
  readonly env: string;
  readonly repo: EnvRepoConfig;
  readonly dryRun: boolean;
  readonly ctx: TaskContext;
  /** Upstream histories read for this batch (UpstreamCheck.histories). */
  readonly histories?: Map<string, Promise<DeployRecord[]>>;
}

export async function prepareRequest(p: QueuedParams, o: PrepareOptions): Promise<PromoteRequest> {
  const { env, repo, ctx } = o;
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  if (repo.upstream) {
    const why = await checkUpstream({ env, app: p.app, version: p.version, sourceCommit: p['source-commit'], rollback: p.rollback, upstream: repo.upstream, own: repo, log: ctx.log, ...signal, ...(o.histories ? { histories: o.histories } : {}) });
    ctx.log.info(`require-upstream ${repo.upstream.env}: ${why}`);
  }
  return {
    env,
    app: p.app,
    version: p.version,
    rollback: p.rollback,
    dryRun: o.dryRun,
    repo,
    author: repo.author,
    trailers: {
      source: p['source-url'],
      sourceCommit: p['source-commit'],
      pipelineRun: p['pipeline-run'],
      imageDigest: p['image-digest'],
      chartDigest: p['chart-digest'],
    },
    log: ctx.log,
    privateHome: true,
    signal: ctx.signal,
    ...(repo.signingKey ? { signingKey: repo.signingKey } : {}),
    ...artifactCheck(
      { version: p.version, imageRepository: p['image-repository'], imageDigest: p['image-digest'], chartDigest: p['chart-digest'] },
      { credential: repo.registryCredential, credentialSource: repo.registryCredentialSource, tlsVerify: p['tls-verify'], log: ctx.log, ...signal },
    ),
  };
}
