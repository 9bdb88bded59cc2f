import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { waitForSync, type SyncedApplication } from '@hat/argocd';
import { revisionContains, type GitAuth } from '@hat/git';
import type { Logger } from '@hat/task-runtime';

export interface DeployWait {
  readonly config: KubeConfig;
  readonly argocdNamespace: string;
  readonly env: string;
  readonly app: string;
  /** The env repo head the deploy left (its commit, or the head already at the version). */
  readonly head: string;
  readonly repo: { readonly url: string; readonly branch: string; readonly auth: GitAuth };
  readonly privateHome: boolean;
  readonly timeoutMs: number;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

/** Reading the env repo's history back this far finds the deploy commit even when committers' clocks disagree. */
const CLOCK_SLACK_MS = 3_600_000;

/** After a deploy: waits until Argo CD runs its commit (or a later one holding it) Synced and Healthy. */
export async function waitForDeploy(w: DeployWait): Promise<SyncedApplication[]> {
  const since = new Date(Date.now() - CLOCK_SLACK_MS);
  const signal = w.signal ? { signal: w.signal } : {};
  return waitForSync({
    api: w.config.makeApiClient(CustomObjectsApi),
    namespace: w.argocdNamespace,
    env: w.env,
    app: w.app,
    commit: w.head,
    contains: (revision) => revisionContains({ ...w.repo, privateHome: w.privateHome, commit: w.head, revision, since, log: w.log, ...signal }),
    timeoutMs: w.timeoutMs,
    log: w.log,
    ...signal,
  });
}
