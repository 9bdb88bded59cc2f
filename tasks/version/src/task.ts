import * as z from 'zod';
import { defineTask } from '@hat/task-spec';

export const versionParams = z.object({
  branch: z
    .string()
    .optional()
    .describe('Branch the commit was pushed to (from the trigger; `refs/heads/` is stripped). Empty: the checked-out branch, or `detached`.'),
  'tag-prefix': z
    .string()
    .regex(/^[A-Za-z0-9._\/-]*$/, 'letters, digits, ".", "_", "/" or "-"')
    .default('v')
    .describe('Prefix of release tags: `<prefix>X.Y.Z` marks a release. With the default `v`, bare `X.Y.Z` tags count too.'),
});

const results = {
  version: { description: 'SemVer 2 version of the commit (no `+`, valid as image tag, chart version and appVersion).' },
  'short-sha': { description: 'First 7 characters of the commit SHA.' },
  branch: { description: 'Branch name used for the version (`detached` when there is none).' },
  'is-release': { description: '"true" when the commit carries a release tag, else "false".' },
} as const;

export const definition = defineTask({
  name: 'version',
  displayName: 'Version from git',
  description:
    'Computes one SemVer 2 version for the checked-out commit of the app repo, used as image tag, chart version and appVersion: `X.Y.Z` for a commit tagged `vX.Y.Z`, on a release line branch `release/X.Y` the line’s release candidate `X.Y.Z-rc.<commits since tag>.g<short sha>` (Z one past the line’s last release, else 0), otherwise a pre-release `X.Y.(Z+1)-<branch>.<commits since tag>.g<short sha>` that sorts after the last release and before the next. Deepens a shallow clone to find its tags.',
  categories: ['Git', 'Build Tools'],
  tags: ['version', 'semver', 'git'],
  params: versionParams,
  results,
  workspaces: [{ name: 'source', description: 'The cloned app repo (a git work tree).' }],
});

export const tasks = [definition];
