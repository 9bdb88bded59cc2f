import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, HatError } from '@hat/task-runtime';
import { commitMessage } from '@hat/git';
import { compareSemver, parseSemver } from '@hat/gitops';
import type { Forge, PullRequest } from '@hat/forge';
import { promote, type Change, type PromoteOutcome, type PromoteRequest } from './promote.ts';

/** The branch a promotion's pull request comes from: one per app and env, so a newer version updates it. */
export const promotionBranch = (env: string, app: string): string => `hat/${env}/${app}`;

/** Times a pull-request promotion starts over when another run moved the same branch meanwhile. */
const BRANCH_ATTEMPTS = 5;

export interface PullRequestOutcome extends PromoteOutcome {
  /** The promotion's pull request: opened, updated, or the open one that already proposes this version. */
  readonly pullRequest: PullRequest | undefined;
}

/**
 * Promotes by pull request: the same byte-exact deploy commit as push mode, on branch hat/<env>/<app> (based on
 * the env branch's head), and one open pull request per app and env, opened or updated with the diff and trailers.
 * A version the env already runs is "unchanged"; one lower than it is refused as in push mode; one lower than
 * what the open pull request proposes is "superseded" (unless a rollback). If the pull request cannot be opened,
 * a branch this run created is deleted again.
 */
export async function promoteByPullRequest(req: PromoteRequest, forge: Forge): Promise<PullRequestOutcome> {
  const { log, env, app, version } = req;
  const head = promotionBranch(env, app);
  const base = req.repo.branch;
  await forge.checkAccess();
  for (let attempt = 1; ; attempt++) {
    const open = (await forge.openPullRequests({ base, headPrefix: head })).find((pr) => pr.head.ref === head);
    if (open) {
      const proposed = trailerOf(await forge.commitMessage(open.head.sha), 'Hat-Version');
      if (proposed === version) {
        log.info(`pull request #${open.number} already proposes ${app} ${version} for ${env}: ${open.url}`);
        return { status: 'unchanged', commit: '', previousVersion: '', changed: false, diff: '', head: '', pullRequest: open };
      }
      if (proposed && parseSemver(proposed) && compareSemver(version, proposed) < 0 && !req.rollback) {
        log.info(`pull request #${open.number} proposes ${app} ${proposed}, newer than ${version}; left as it is: ${open.url}`);
        return { status: 'superseded', commit: '', previousVersion: '', changed: false, diff: '', head: '', pullRequest: open };
      }
    }
    const expect = await forge.branchHead(head);
    let pullRequest: PullRequest | undefined = open;
    try {
      const outcome = await promote({
        ...req,
        pushTo: { branch: head, expect },
        afterPush: async (commit, change) => {
          pullRequest = await openOrUpdate(forge, { base, head, open, change });
          log.info(`${open ? 'updated' : 'opened'} pull request #${pullRequest.number} (${commit.slice(0, 12)} on ${head}): ${pullRequest.url}`);
        },
      });
      // Unchanged (the env runs it already), refused or dry-run: no branch was pushed.
      return { ...outcome, pullRequest: outcome.status === 'deployed' ? pullRequest : undefined };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      if (attempt >= BRANCH_ATTEMPTS) throw new HatError(`${env} repo: branch ${head} kept moving (${attempt} attempts); nothing written`);
      log.info(`branch ${head} moved meanwhile (another run of ${app}); starting over (attempt ${attempt + 1}/${BRANCH_ATTEMPTS})`);
    }
  }
}

async function openOrUpdate(forge: Forge, at: { base: string; head: string; open: PullRequest | undefined; change: Change }): Promise<PullRequest> {
  const text = { title: at.change.subject, body: pullRequestBody(at.change) };
  if (at.open) return forge.updatePullRequest(at.open.number, text);
  try {
    return await forge.createPullRequest({ ...text, base: at.base, head: at.head });
  } catch (err) {
    // Another run opened it between our look and our create (the forge allows one open pull request per head and base).
    const opened = (await forge.openPullRequests({ base: at.base, headPrefix: at.head })).find((pr) => pr.head.ref === at.head);
    if (opened) return forge.updatePullRequest(opened.number, text);
    throw err;
  }
}

/** The pull request's body: what changes, the trailers the commit carries, and links to where it came from. */
export function pullRequestBody(change: Change): string {
  const trailers = commitMessage('', change.trailers).trim();
  const get = (key: string) => change.trailers.find(([k]) => k === key)?.[1];
  const source = get('Hat-Source');
  const commit = get('Hat-Source-Commit');
  const links = [
    source ? `- Source: ${source}${commit ? ` at \`${commit}\`` : ''}` : '',
    get('Hat-PipelineRun') ? `- PipelineRun: \`${get('Hat-PipelineRun')}\`` : '',
  ].filter(Boolean);
  return [
    `Promotes **${get('Hat-App')}** ${get('Hat-Previous-Version')} → **${get('Hat-Version')}** in **${get('Hat-Env')}**, opened by HAT. Merge it to deploy; a newer version updates this pull request.`,
    '',
    '```diff',
    change.diff.trimEnd(),
    '```',
    ...(links.length ? ['', ...links] : []),
    '',
    '```',
    trailers,
    '```',
    '',
  ].join('\n');
}

/** A trailer's value in a commit message (the last paragraph's `Key: value` lines). */
export function trailerOf(message: string, key: string): string | undefined {
  const m = new RegExp(`^${key}: (.+)$`, 'm').exec(message);
  return m?.[1]?.trim();
}

/** An open promotion pull request: which app and version it proposes for the env. */
export interface OpenPromotion {
  readonly env: string;
  readonly app: string;
  /** Hat-Version of its head commit (undefined when someone replaced the commit). */
  readonly version: string | undefined;
  readonly number: number;
  readonly url: string;
}

/** The env repo's open promotion pull requests (head hat/<env>/<app>, into `base`), oldest first. */
export async function openPromotions(forge: Forge, env: string, base: string): Promise<OpenPromotion[]> {
  const prefix = promotionBranch(env, '');
  const open = await forge.openPullRequests({ base, headPrefix: prefix });
  return Promise.all(
    open.map(async (pr) => ({ env, app: pr.head.ref.slice(prefix.length), version: trailerOf(await forge.commitMessage(pr.head.sha), 'Hat-Version'), number: pr.number, url: pr.url })),
  );
}

export interface MergeWait {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
}

/** Waits until the pull request is merged (its merge commit) or fails when it is closed unmerged or the time is up. */
export async function waitForMerge(forge: Forge, pr: PullRequest, wait: MergeWait, log: PromoteRequest['log']): Promise<string> {
  const deadline = Date.now() + wait.timeoutMs;
  log.info(`waiting up to ${Math.round(wait.timeoutMs / 1000)} s for pull request #${pr.number} to be merged: ${pr.url}`);
  for (;;) {
    const now = await forge.pullRequest(pr.number);
    if (now.merged) {
      log.info(`pull request #${pr.number} merged${now.mergeCommit ? ` (${now.mergeCommit.slice(0, 12)})` : ''}`);
      return now.mergeCommit ?? '';
    }
    if (now.state === 'closed') throw new HatError(`pull request #${pr.number} was closed without merging: ${pr.url}`);
    if (Date.now() > deadline) throw new HatError(`pull request #${pr.number} not merged after ${Math.round(wait.timeoutMs / 1000)} s (merge-timeout): ${pr.url}`);
    await sleep(wait.intervalMs ?? 5_000, undefined, wait.signal ? { signal: wait.signal } : {});
  }
}
