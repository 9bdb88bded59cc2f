import { HatError, InputError, registerSecret, withRetry, type Logger } from '@hat/task-runtime';
import { httpRequest, type HttpResponse } from '@hat/oci';
import type { ForgeRepo } from './repo-path.ts';

/** The forges whose API HAT speaks; Forgejo is Gitea's API. Tested for real: Gitea (test/stack). */
export const FORGE_PROVIDERS = ['gitea', 'forgejo'] as const;
export type ForgeProvider = (typeof FORGE_PROVIDERS)[number];

export interface PullRequest {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly head: { readonly ref: string; readonly sha: string };
  readonly base: { readonly ref: string };
  /** The commit the merge left on the base branch (merged pull requests). */
  readonly mergeCommit: string | undefined;
}

export interface PullRequestText {
  readonly title: string;
  readonly body: string;
}

/** What the deploy needs of a forge: the pull requests of one repository. */
export interface Forge {
  readonly provider: ForgeProvider;
  readonly repo: ForgeRepo;
  /** Fails (one line) when the token is refused, the repo is not there, or the token may not push to it. */
  checkAccess(): Promise<void>;
  /** The branch's head commit, or undefined when there is no such branch. */
  branchHead(branch: string): Promise<string | undefined>;
  /** Open pull requests into `base` (all bases when omitted) whose head branch starts with `headPrefix`. */
  openPullRequests(filter?: { readonly base?: string; readonly headPrefix?: string }): Promise<PullRequest[]>;
  createPullRequest(pr: PullRequestText & { readonly base: string; readonly head: string }): Promise<PullRequest>;
  updatePullRequest(number: number, text: PullRequestText): Promise<PullRequest>;
  pullRequest(number: number): Promise<PullRequest>;
  commitMessage(sha: string): Promise<string>;
}

export interface ForgeOptions {
  readonly provider: string;
  readonly repo: ForgeRepo;
  readonly token: string;
  readonly tlsVerify?: boolean;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

/** A forge API client for `provider`; an unknown provider is bad input naming the supported ones. */
export function createForge(opts: ForgeOptions): Forge {
  if (!(FORGE_PROVIDERS as readonly string[]).includes(opts.provider)) {
    throw new InputError(`forge: expected one of ${FORGE_PROVIDERS.join(', ')} (GitHub and GitLab are not supported yet), got ${JSON.stringify(opts.provider)}`);
  }
  if (!opts.token) throw new InputError('forge-token: pull-request mode needs an API token for the forge (Secret key forge-token, or HAT_FORGE_TOKEN)');
  registerSecret(opts.token);
  return giteaForge({ ...opts, provider: opts.provider as ForgeProvider });
}

interface GiteaPull {
  number: number;
  html_url: string;
  title: string;
  state: 'open' | 'closed';
  merged: boolean;
  merge_commit_sha?: string | null;
  head: { ref: string; sha: string };
  base: { ref: string };
}

const PAGE = 50;

function giteaForge(opts: ForgeOptions & { readonly provider: ForgeProvider }): Forge {
  const { repo, log } = opts;
  const where = `${repo.owner}/${repo.name} on ${repo.api}`;
  const path = (p: string) => `${repo.api}/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}${p}`;

  /** One API call, retried (bounded) while the forge is unreachable or answers 5xx; `ok` lists the statuses it handles. */
  const call = async (method: string, url: string, what: string, ok: readonly number[], body?: unknown): Promise<HttpResponse> => {
    const res = await withRetry({ log, ...(opts.signal ? { signal: opts.signal } : {}) }, `the forge API ${repo.api} (${what})`, () =>
      httpRequest({
        url,
        method,
        headers: { authorization: `token ${opts.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        tlsVerify: opts.tlsVerify ?? true,
        ...(opts.signal ? { signal: opts.signal } : {}),
      }),
    );
    if (ok.includes(res.status)) return res;
    const said = messageOf(res);
    if (res.status === 401) throw new HatError(`${where}: the forge refused the token (HTTP 401) while trying to ${what}; check forge-token`);
    if (res.status === 403) throw new HatError(`${where}: the token may not ${what} (HTTP 403${said ? `: ${said}` : ''}); give it write access to the repository`);
    if (res.status === 404) throw new HatError(`${where}: not found while trying to ${what} (HTTP 404); check the repo URL and that the token's user can see it`);
    throw new HatError(`${where}: could not ${what} (HTTP ${res.status}${said ? `: ${said}` : ''})`);
  };
  const json = async <T>(method: string, p: string, what: string, body?: unknown, ok: readonly number[] = [200, 201]): Promise<T> =>
    JSON.parse((await call(method, path(p), what, ok, body)).body.toString('utf8')) as T;

  return {
    provider: opts.provider,
    repo,
    async checkAccess() {
      const found = await json<{ permissions?: { push?: boolean }; archived?: boolean }>('GET', '', 'read the repository');
      if (found.archived) throw new HatError(`${where}: the repository is archived; pull requests cannot be opened`);
      if (found.permissions && !found.permissions.push) throw new HatError(`${where}: the token's user may not push to the repository; give it write access`);
    },
    async branchHead(branch) {
      const res = await call('GET', path(`/branches/${encodeURIComponent(branch)}`), `read branch ${branch}`, [200, 404]);
      if (res.status === 404) return undefined;
      return (JSON.parse(res.body.toString('utf8')) as { commit: { id: string } }).commit.id;
    },
    async openPullRequests(filter = {}) {
      const found: PullRequest[] = [];
      for (let page = 1; ; page++) {
        const batch = await json<GiteaPull[]>('GET', `/pulls?state=open&sort=oldest&limit=${PAGE}&page=${page}`, 'list pull requests');
        for (const pr of batch.map(pullOf)) {
          if ((filter.base === undefined || pr.base.ref === filter.base) && pr.head.ref.startsWith(filter.headPrefix ?? '')) found.push(pr);
        }
        if (batch.length < PAGE) return found;
      }
    },
    async createPullRequest(pr) {
      return pullOf(await json<GiteaPull>('POST', '/pulls', `open a pull request from ${pr.head} into ${pr.base}`, { head: pr.head, base: pr.base, title: pr.title, body: pr.body }));
    },
    async updatePullRequest(number, text) {
      return pullOf(await json<GiteaPull>('PATCH', `/pulls/${number}`, `update pull request #${number}`, { title: text.title, body: text.body }));
    },
    async pullRequest(number) {
      return pullOf(await json<GiteaPull>('GET', `/pulls/${number}`, `read pull request #${number}`));
    },
    async commitMessage(sha) {
      return (await json<{ commit: { message: string } }>('GET', `/git/commits/${encodeURIComponent(sha)}?stat=false&verification=false&files=false`, `read commit ${sha.slice(0, 12)}`)).commit.message;
    },
  };
}

const pullOf = (pr: GiteaPull): PullRequest => ({
  number: pr.number,
  url: pr.html_url,
  title: pr.title,
  state: pr.state,
  merged: pr.merged,
  head: { ref: pr.head.ref, sha: pr.head.sha },
  base: { ref: pr.base.ref },
  mergeCommit: pr.merge_commit_sha ?? undefined,
});

/** The forge's own message (Gitea: {"message": …}), one line, short. */
function messageOf(res: HttpResponse): string {
  try {
    const m = (JSON.parse(res.body.toString('utf8')) as { message?: unknown }).message;
    return typeof m === 'string' ? m.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
  } catch {
    return '';
  }
}
