import { beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import { injectStack, type GitRepo } from '../../../test/stack/vitest.ts';
import { AuthError, revisionContains } from '../src/index.ts';

const CRED = { username: 'ancestry-test', password: 'ancestry-Secret-47' };
const { git: server } = injectStack();
let repo: GitRepo;
const commits: string[] = [];
const tempsBefore = async () => (await readdir(os.tmpdir())).filter((n) => n.startsWith('hat-ancestry-'));
let before: string[];

beforeAll(async () => {
  before = await tempsBefore();
  repo = await server.createRepo(`ancestry-${process.pid}`, CRED);
  for (const v of ['1', '2', '3']) commits.push(await server.seedRepo(repo.name, { [`apps/web/v${v}`]: v }, `deploy ${v}`));
  // A commit on another branch: never in main's history.
  commits.push(await server.seedRepo(repo.name, { 'apps/web/other': 'x' }, 'elsewhere', { branch: 'other' }));
});

const contains = (commit: string, revision: string, auth = { kind: 'basic' as const, ...CRED }) =>
  revisionContains({ url: repo.url, branch: 'main', auth, privateHome: true, commit, revision, since: new Date(Date.now() - 3_600_000) });

describe('revisionContains', () => {
  it('is true for the commit itself and for a later commit on the branch, false for an earlier one', async () => {
    const [first, second, third] = commits as [string, string, string];
    expect(await contains(second, second)).toBe(true);
    expect(await contains(first, third)).toBe(true);
    expect(await contains(second, third)).toBe(true);
    expect(await contains(third, first)).toBe(false);
  });

  it('is false for a revision that is not on the branch (another branch, or unknown)', async () => {
    expect(await contains(commits[0]!, commits[3]!)).toBe(false);
    expect(await contains(commits[0]!, 'f'.repeat(40))).toBe(false);
  });

  it('a refused credential is an AuthError, and no temp folder is left behind', async () => {
    await expect(contains(commits[0]!, commits[2]!, { kind: 'basic', username: CRED.username, password: 'wrong-Secret-1' })).rejects.toBeInstanceOf(AuthError);
    expect(await tempsBefore()).toEqual(before);
  });
});

