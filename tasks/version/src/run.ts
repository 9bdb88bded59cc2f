import { stat } from 'node:fs/promises';
import { isValidOciTag, parseSemver } from '@hat/gitops';
import { HatError, InputError, type TaskContext } from '@hat/task-runtime';
import type { ParamsOf, ResultsOf } from '@hat/task-spec';
import { commitFacts, commitsSince, ensureHistory, repoGit } from './repo.ts';
import { formatRelease, highestRelease, preReleaseVersion, releaseCandidateVersion } from './scheme.ts';
import type { definition } from './task.ts';

type Params = ParamsOf<typeof definition>;
type Results = ResultsOf<typeof definition>;

export async function run(params: Params, ctx: TaskContext): Promise<Results> {
  const dir = ctx.workspace('source');
  const isDir = dir !== undefined && (await stat(dir).then((s) => s.isDirectory(), () => false));
  if (!dir || !isDir) throw new InputError(`workspace source (${dir ?? 'unbound'}) is not a directory`);
  const g = repoGit(dir, ctx.signal);
  const inside = await g(['rev-parse', '--is-inside-work-tree']).catch(() => 'false');
  if (inside !== 'true') throw new InputError(`workspace source (${dir}) is not a git work tree`);
  await ensureHistory(g, ctx.log, ctx.signal);

  const facts = await commitFacts(g);
  const prefix = params['tag-prefix'];
  const branch = params.branch?.replace(/^refs\/heads\//, '') || facts.branch || 'detached';
  const shortSha = facts.sha.slice(0, 7);
  const tagged = highestRelease(facts.tagsAtHead, prefix);
  if (tagged) {
    const version = formatRelease(tagged.release);
    ctx.log.info(`version ${version}: commit ${shortSha} is tagged ${tagged.tag}`);
    return { version, 'short-sha': shortSha, branch, 'is-release': 'true' };
  }
  const base = highestRelease(facts.reachableTags, prefix);
  const count = await commitsSince(g, base?.tag);
  const input = { base: base?.release, branch, commitsSince: count, sha: facts.sha };
  const version = releaseCandidateVersion(input) ?? preReleaseVersion(input);
  if (!parseSemver(version) || !isValidOciTag(version)) throw new HatError(`computed version ${JSON.stringify(version)} is not a SemVer 2 OCI tag (a bug)`);
  ctx.log.info(
    `version ${version}: ${count} commit(s) on ${branch} since ${base ? `${base.tag}` : 'the start (no release tag yet)'}, commit ${shortSha}`,
  );
  return { version, 'short-sha': shortSha, branch, 'is-release': 'false' };
}
