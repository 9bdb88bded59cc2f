import * as z from 'zod';
import { defineTask } from '@hat/task-spec';
import { registerUrlSecrets, urlHasCredentials } from './remote-url.ts';

export const gitCloneParams = z.object({
  url: z
    .string()
    .min(1)
    // Registering first: the bad-input message quotes the value, and it must not show the token.
    .refine((u) => !urlHasCredentials(u) || (registerUrlSecrets(u), false), 'a URL without credentials in it: bind the basic-auth or ssh-directory workspace instead')
    .describe('Repository URL to clone (https://, http://, ssh:// or git@host:path). Credentials never go here: bind basic-auth or ssh-directory.'),
  revision: z
    .string()
    .default('main')
    .describe('Branch, tag, full commit SHA, full ref (refs/heads/…, refs/tags/…, refs/pull/…) or HEAD (the remote default branch) to check out.'),
  depth: z.coerce.number().int().min(0).default(1).describe('Shallow clone depth: commits of history to fetch. 0 fetches the full history.'),
  'fetch-tags': z.stringbool().default(false).describe('Also fetch all tags, e.g. for the version task (use with depth 0, so the tagged commits connect to the checked-out one).'),
  submodules: z.stringbool().default(false).describe('Also check out submodules (recursively, at the same depth; same credentials for the same host).'),
  'delete-existing': z.stringbool().default(true).describe('Empty the output workspace before cloning (its files and folders, dotfiles included).'),
});

const results = {
  commit: { description: 'SHA of the commit checked out.' },
  url: { description: 'The URL that was cloned (the url param).' },
  'committer-date': { description: 'Committer date of that commit, in seconds since the epoch.' },
  'CHAINS-GIT_URL': { description: 'Tekton Chains type hint: the source repository URL (same as url).' },
  'CHAINS-GIT_COMMIT': { description: 'Tekton Chains type hint: the source commit (same as commit).' },
} as const;

export const definition = defineTask({
  name: 'git-clone',
  displayName: 'git clone',
  description:
    'Clones an app repository at a branch, tag or commit into the output workspace, shallow by default. Credentials come from an optional basic-auth workspace (.git-credentials, as tektoncd/catalog git-clone takes them) or ssh-directory workspace, never from params, and are never written into the clone.',
  categories: ['Git'],
  tags: ['git', 'clone'],
  params: gitCloneParams,
  results,
  workspaces: [
    { name: 'output', description: 'The repository is checked out at the root of this workspace.' },
    {
      name: 'basic-auth',
      optional: true,
      readOnly: true,
      description:
        'A Secret with .git-credentials (lines https://<user>:<token>@<host>) and, optionally, .gitconfig, as for tektoncd/catalog git-clone. The line for the URL\'s host is sent to that host only; nothing is copied to HOME or .git/config.',
    },
    {
      name: 'ssh-directory',
      optional: true,
      readOnly: true,
      description: 'A Secret shaped like a .ssh directory: a private key (id_ed25519, id_ecdsa or id_rsa), known_hosts (strongly advised), optional config. Used for ssh:// and git@host:path URLs.',
    },
  ],
});

export const tasks = [definition];
