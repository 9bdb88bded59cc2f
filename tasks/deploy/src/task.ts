import * as z from 'zod';
import { defineTask } from '@hat/task-spec';
import { isDns1123Label, isValidOciTag } from '@hat/gitops/names';
import { parseSemver } from '@hat/gitops/semver';
// Not '@hat/argocd': that would load @kubernetes/client-node on every start (cluster-wait.ts loads it when needed).
import { durationMs } from '@hat/argocd/duration';
import { parseImageRef } from '@hat/oci';
import { DIGEST } from './artifacts.ts';

/** A repository as registries take it (distribution's grammar, as the registry client parses it), no tag or digest. */
function isImageRepository(v: string): boolean {
  try {
    const ref = parseImageRef(v);
    return ref.tag === undefined && ref.digest === undefined;
  } catch {
    return false;
  }
}

/** The environments HAT ships a deploy Task for; each gets its own Task, Secret and ConfigMap. */
export const ENVIRONMENTS = ['test', 'stage', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const deployParams = z.object({
  app: z
    .string()
    .refine(isDns1123Label, 'a DNS-1123 label: lower-case letters, digits and "-", at most 63 characters')
    .describe('Name of the app: the folder apps/<app>/ in the env repo (apps/<shard>/<app>/ in a sharded one).'),
  version: z
    .string()
    .refine((v) => parseSemver(v) !== undefined && isValidOciTag(v), 'a SemVer 2 version that is also a valid image tag (no "+"), e.g. 1.4.2 or 1.5.0-main.3.ab12cd3')
    .describe('Version to deploy: the image tag and the chart version (they are the same).'),
  'source-url': z.string().optional().describe('Source repository URL, recorded in the commit trailer Hat-Source.'),
  'source-commit': z.string().optional().describe('Source commit SHA, recorded in the commit trailer Hat-Source-Commit.'),
  'pipeline-run': z.string().optional().describe('PipelineRun name, recorded in the commit trailer Hat-PipelineRun.'),
  'image-digest': z
    .string()
    .refine((v) => v === '' || DIGEST.test(v), 'a digest: sha256: and 64 lower-case hex digits')
    .optional()
    .describe('Image digest (sha256:…), recorded in the trailer Hat-Image-Digest. With image-repository, <image-repository>:<version> must have this digest in the registry, else nothing is committed.'),
  'chart-digest': z
    .string()
    .refine((v) => v === '' || DIGEST.test(v), 'a digest: sha256: and 64 lower-case hex digits')
    .optional()
    .describe('Chart digest (sha256:…), recorded in the trailer Hat-Chart-Digest. The chart the env repo depends on (oci://…/<app>) must have this digest at <version> in the registry, else nothing is committed.'),
  'image-repository': z
    .string()
    .refine((v) => v === '' || isImageRepository(v), 'an image repository without tag or digest, e.g. registry.example.com/shop/web')
    .optional()
    .describe('Image repository the pipeline pushed to (no tag), e.g. registry.example.com/shop/web: where image-digest is checked.'),
  'tls-verify': z.stringbool().default(true).describe('Verify the registry\'s TLS certificate when checking image-digest and chart-digest (false: an insecure or plain-HTTP registry).'),
  rollback: z.stringbool().default(false).describe('Allow moving to a lower version than the one deployed.'),
  'dry-run': z.stringbool().default(false).describe('Compute and print the change, push nothing.'),
  'wait-for-sync': z
    .stringbool()
    .default(false)
    .describe(
      'After the commit lands, wait until Argo CD runs it: every Application of the app in this env (labels hat.dev/env, hat.dev/app) Synced to that commit (or a later one) and Healthy; else fail after sync-timeout with the Application\'s own message. Needs get/list on Applications in argocd-namespace (the pipeline chart grants it).',
    ),
  'sync-timeout': z.string().refine((v) => durationMs(v) !== undefined, 'a duration: a whole number of s, m or h, e.g. 90s, 5m or 1h').default('5m').describe('How long wait-for-sync waits.'),
  'wait-for-merge': z
    .stringbool()
    .default(false)
    .describe('Pull-request mode (ConfigMap mode: pull-request): wait until the pull request is merged, failing when it is closed unmerged or after merge-timeout. wait-for-sync waits for the merge too.'),
  'merge-timeout': z.string().refine((v) => durationMs(v) !== undefined, 'a duration: a whole number of s, m or h, e.g. 90s, 5m or 1h').default('1h').describe('How long wait-for-merge waits.'),
  'argocd-namespace': z.string().refine(isDns1123Label, 'a namespace name (DNS-1123 label)').default('argocd').describe('Namespace of Argo CD and its Applications (wait-for-sync).'),
});

const results = {
  commit: { description: 'SHA of the deploy commit in the env repo; empty when nothing changed.' },
  'previous-version': { description: 'Version deployed before this run.' },
  changed: { description: '"true" when this run changed the env repo (or would have, in dry-run).' },
  diff: { description: 'Unified diff of the change (shortened to fit Tekton\'s result size).' },
  'pull-request-url': { description: 'Pull-request mode: the web URL of the promotion\'s pull request (opened, updated, or the open one already proposing this version); empty in push mode.' },
  'pull-request-number': { description: 'Pull-request mode: the pull request\'s number; empty in push mode.' },
} as const;

export function deployTask(env: Environment) {
  return defineTask({
    name: `deploy-${env}`,
    program: 'deploy',
    displayName: `Deploy to ${env}`,
    description: `Commits an app version into the ${env} environment's GitOps repo (the app folder's Chart.yaml and values.yaml). The repo URL and credentials come from the Secret and ConfigMap hat-gitops-${env}, never from params, so this Task can only write to ${env}.`,
    categories: ['Deployment', 'Git'],
    tags: ['gitops', 'deploy', 'helm', 'argocd', env],
    params: deployParams,
    results,
    mounts: [
      {
        name: 'gitops-config',
        kind: 'configMap',
        objectName: `hat-gitops-${env}`,
        // Optional, so that a missing object fails the TaskRun with a message naming it (a required one leaves the Pod Pending on FailedMount).
        optional: true,
        description: 'url (env repo, https:// or ssh://), optional branch (default main), author-name, author-email; optional require-upstream (an env name, e.g. stage) with upstream-url (and upstream-branch): this env then deploys only a version that env ran, or a deploy of the same source commit (Hat-Source-Commit), or a rollback to a version it ran itself; optional mode: push (default) or pull-request, with forge (gitea or forgejo, default gitea) and forge-api-url (default <repo origin>/api/v1): the deploy commit goes to branch hat/<env>/<app> and one pull request per app opens or is updated. Missing: the run fails naming it.',
      },
      {
        name: 'gitops-credentials',
        kind: 'secret',
        objectName: `hat-gitops-${env}`,
        optional: true,
        description: 'username and password (basic auth, e.g. a token), or ssh-privatekey and known_hosts; optional upstream-username and upstream-password (read-only, for upstream-url); optional registry-username and registry-password (read-only, for the image-digest and chart-digest checks); optional signing-key (an unencrypted OpenSSH private key): the deploy commits are signed with it (git\'s gpg.format=ssh; check them with hat history --allowed-signers); forge-token (mode: pull-request): an API token that may push branches and open pull requests. Missing: the run fails naming it.',
      },
    ],
    env: { HAT_ENV: env, HAT_TASKRUN: '$(context.taskRun.name)' },
  });
}

export const tasks = ENVIRONMENTS.map(deployTask);

/**
 * deploy-<env> as a custom task (a Pipeline task's taskRef): served by the env's deploy controller (controller.ts)
 * instead of a pod per run; the pipeline chart's environments[].controller renders it.
 */
export const customTaskRef = (env: string): { readonly apiVersion: string; readonly kind: string; readonly name: string } => ({ apiVersion: 'hat.dev/v1alpha1', kind: 'Deploy', name: `deploy-${env}` });
export const definition = tasks[0]!;
