import * as z from 'zod';
import { defineTask } from '@hat/task-spec';
import { isValidTag } from '@hat/oci';
import { parseList } from './lists.ts';

export const buildImageParams = z.object({
  image: z
    .string()
    .min(1)
    .refine((v) => !/@|:[^/]*$/.test(v), 'the repository only, e.g. registry.example.com/team/app (the version goes in tag)')
    .describe('Image repository to push to, without tag, e.g. registry.example.com/team/app.'),
  tag: z.string().refine(isValidTag, 'a valid image tag ([A-Za-z0-9_.-], at most 128, not starting with . or -)').describe('Tag to push: the version.'),
  'extra-tags': z
    .string()
    .optional()
    .refine((v) => parseList(v ?? '').every(isValidTag), 'comma-separated valid image tags')
    .describe('More tags for the same image, comma-separated (e.g. "latest,main").'),
  context: z.string().default('.').describe('Build context: a folder of the source workspace.'),
  dockerfile: z
    .string()
    .optional()
    .describe('Containerfile/Dockerfile path, relative to the context (it may point elsewhere in the source workspace). Default: Containerfile, else Dockerfile, in the context.'),
  'build-args': z
    .string()
    .optional()
    .describe('Build arguments KEY=VALUE, one per line (values may then hold commas) or comma-separated on one line. Not for secrets: they stay in the image history.'),
  target: z.string().optional().describe('Stage of a multi-stage Containerfile to build (default: the last).'),
  'tls-verify': z.stringbool().default(true).describe('Require https with a verified certificate from registries (pull and push). "false" allows plain-HTTP or self-signed registries.'),
});

const results = {
  IMAGE_URL: { description: 'The pushed image, <image>:<tag> (Tekton Chains type hint).' },
  IMAGE_DIGEST: { description: 'Digest of the pushed manifest, sha256:… (Tekton Chains type hint), as read back from the registry.' },
} as const;

/**
 * buildah with chroot isolation and vfs storage, measured on Linux 6.x: as root with only SETUID, SETGID and SETFCAP,
 * buildah re-executes itself in a user namespace that maps every ID (writing uid_map/gid_map needs exactly those three)
 * and mounts /proc, /dev and the rootfs there; no SYS_ADMIN, no privileged container. Creating that namespace uses
 * unshare(CLONE_NEWUSER), which the container runtimes' default seccomp profile denies without SYS_ADMIN, and the
 * mounts inside it are denied by the default AppArmor profile: both must be Unconfined. See the README.
 */
export const BUILDAH_SECURITY_CONTEXT = {
  runAsUser: 0,
  runAsGroup: 0,
  runAsNonRoot: false,
  privileged: false,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'], add: ['SETUID', 'SETGID', 'SETFCAP'] },
  seccompProfile: { type: 'Unconfined' },
  appArmorProfile: { type: 'Unconfined' },
} as const;

export const definition = defineTask({
  name: 'build-image',
  displayName: 'Build and push an image',
  description:
    'Builds the app image from a Containerfile/Dockerfile in the source workspace with buildah (reproducible: the same source gives the same digest), pushes it with its version tag and any extra tags, and returns the digest read back from the registry. Registry credentials come from an optional dockerconfig workspace, never from params.',
  categories: ['Image Build'],
  tags: ['image-build', 'buildah', 'oci'],
  params: buildImageParams,
  results,
  workspaces: [
    { name: 'source', description: 'The checked-out app repository (e.g. the output of git-clone).', readOnly: true },
    {
      name: 'dockerconfig',
      optional: true,
      readOnly: true,
      description: 'A kubernetes.io/dockerconfigjson Secret (key .dockerconfigjson) or a config.json: credentials for the target registry and any registry the Containerfile pulls from.',
    },
  ],
  securityContext: BUILDAH_SECURITY_CONTEXT,
  base: 'buildah',
  computeResources: { requests: { cpu: '500m', memory: '1Gi' } },
});

export const tasks = [definition];
