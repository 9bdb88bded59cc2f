// The files next to a published Task: README.md, artifacthub-pkg.yml and the kustomization that lets the
// install overlays reference the version folder.
import { REFERENCE_END, REFERENCE_START, renderReference, spliceReference, type TaskDefinition } from '@hat/task-spec';
import { majorOf } from './catalog-version.ts';
import { BUNDLE_ANNOTATION, clusterTaskName, taskFileName } from './layout.ts';
import { toYaml } from './task-file.ts';

export interface VersionDocInputs {
  readonly def: TaskDefinition;
  readonly version: string;
  readonly image: string;
  /** `<repo>:<version>@sha256:…` */
  readonly bundle: string;
  readonly platforms: readonly string[];
  /** The program's README (tasks/<program>/README.md), when it has one. */
  readonly programReadme: string | undefined;
  /** RFC 3339, for Artifact Hub's createdAt. */
  readonly createdAt: string;
}

const bundleDigest = (bundle: string): string => bundle.slice(bundle.lastIndexOf('@') + 1);

export function usageSnippets(def: TaskDefinition, version: string, bundle: string): string {
  const cluster = clusterTaskName(def.name, majorOf(version));
  return [
    `Follow compatible updates (the newest ${majorOf(version)}.x installed in the cluster from \`catalog/\`):`,
    '',
    '```yaml',
    'taskRef:',
    `  name: ${cluster}`,
    '```',
    '',
    `Pin exactly ${version} (Tekton bundles resolver; the digest makes it immutable):`,
    '',
    '```yaml',
    'taskRef:',
    '  resolver: bundles',
    '  params:',
    '    - name: bundle',
    `      value: ${bundle}`,
    '    - name: name',
    `      value: ${def.name}`,
    '    - name: kind',
    '      value: task',
    '```',
  ].join('\n');
}

/** The program README without its title, with the reference block narrowed to this Task. */
function programSection(def: TaskDefinition, readme: string | undefined): string {
  if (!readme || !readme.includes(REFERENCE_START) || !readme.includes(REFERENCE_END)) return `## Reference\n\n${renderReference([def])}\n`;
  const body = spliceReference(readme, renderReference([def])).replace(/^# .*\n+/, '');
  return `## What it does\n\n${body.replace(/\n*$/, '')}\n`;
}

export function versionReadme(d: VersionDocInputs): string {
  return [
    `# ${d.def.name} ${d.version}`,
    '',
    `<!-- Published by \`hat catalog publish\`. Immutable: never edit. -->`,
    '',
    d.def.description,
    '',
    '| | |',
    '| --- | --- |',
    `| version | ${d.version} |`,
    `| in-cluster name | \`${clusterTaskName(d.def.name, majorOf(d.version))}\` (while ${d.version} is the newest ${majorOf(d.version)}.x) |`,
    `| Tekton bundle | \`${d.bundle}\` |`,
    `| image | \`${d.image}\` (${d.platforms.join(', ')}) |`,
    `| program | \`tasks/${d.def.program}\` |`,
    '',
    '## Use it in a Pipeline',
    '',
    usageSnippets(d.def, d.version, d.bundle),
    '',
    programSection(d.def, d.programReadme),
  ].join('\n');
}

export function artifactHubPackage(d: VersionDocInputs): string {
  return toYaml({
    version: d.version,
    name: d.def.name,
    displayName: d.def.displayName,
    createdAt: d.createdAt,
    description: d.def.description,
    digest: bundleDigest(d.bundle),
    category: 'integration-delivery',
    keywords: [...d.def.tags],
    provider: { name: 'HAT' },
    containersImages: [{ name: d.def.program, image: d.image, platforms: [...d.platforms] }],
    install: `${usageSnippets(d.def, d.version, d.bundle)}\n`,
    annotations: { [BUNDLE_ANNOTATION]: d.bundle },
  });
}

export const versionKustomization = (task: string): string =>
  toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [taskFileName(task)] });
