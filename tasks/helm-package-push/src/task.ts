import * as z from 'zod';
import { isValidOciTag, parseSemver } from '@hat/gitops';
import { defineTask } from '@hat/task-spec';

export const helmPackagePushParams = z.object({
  chart: z.string().default('chart').describe('Path of the chart directory inside the source workspace.'),
  version: z
    .string()
    .refine((v) => parseSemver(v) !== undefined && isValidOciTag(v), 'a SemVer 2 version that is also a valid OCI tag (no "+"), e.g. 1.4.2 or 1.5.0-main.3.gab12cd3')
    .describe('Version to package: written into Chart.yaml as both version and appVersion (from the version task).'),
  'image-repository': z
    .string()
    .regex(/^[a-z0-9][a-z0-9._\/:-]*$/, 'an image repository without tag or digest, e.g. registry.example.com/shop/api')
    .refine((v) => !/:[^/]*$/.test(v.slice(v.indexOf('/') + 1)) && !v.includes('@'), 'no tag or digest')
    .optional()
    .describe('Image repository written into the packaged values.yaml as image.repository (image.tag is set to the version). Empty: values.yaml keeps its repository.'),
  'chart-repository': z.string().describe('OCI repository to push to, e.g. oci://registry.example.com/charts. Classic HTTP repositories (ChartMuseum) are not supported.'),
  'insecure-plain-http': z.stringbool().default(false).describe('Talk plain HTTP (no TLS) to the registry; for a local test registry only.'),
});

const results = {
  'chart-ref': { description: 'The pushed chart: oci://host/path/name:version.' },
  'chart-digest': { description: 'Manifest digest of the chart in the registry (sha256:…).' },
  pushed: { description: '"true" when this run pushed the chart; "false" when that version was already there with the same content.' },
  ARTIFACT_URI: { description: 'Tekton Chains type hint: the chart\'s OCI repository (host/path/name).' },
  ARTIFACT_DIGEST: { description: 'Tekton Chains type hint: the chart\'s manifest digest (sha256:…).' },
} as const;

export const definition = defineTask({
  name: 'helm-package-push',
  displayName: 'Helm package and push',
  description:
    'Packages the app chart with version and appVersion set to the given version (in a build copy: dependency build, lint, package) and pushes it to an OCI registry. Chart versions are immutable: the same version with the same content is a no-op, with different content an error; nothing is ever overwritten.',
  categories: ['Build Tools', 'Deployment'],
  tags: ['helm', 'oci', 'chart'],
  params: helmPackagePushParams,
  results,
  workspaces: [{ name: 'source', description: 'The app repo (holds the chart).', readOnly: true }],
  mounts: [
    {
      name: 'chart-registry',
      kind: 'secret',
      objectName: 'hat-chart-registry',
      optional: true,
      description: 'username and password for the chart registry (absent: push without credentials)',
    },
  ],
});

export const tasks = [definition];
