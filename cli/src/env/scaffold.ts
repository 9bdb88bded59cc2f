// The files of an env repo and of an app in it (what `hat env init` and `hat env add-app` write).
import { stringify } from 'yaml';
import { APP_LABEL, ENV_LABEL } from '@hat/argocd';
import { appDir, LAYOUT_FILE, layoutFile, type Layout } from '@hat/gitops';

export interface EnvScaffold {
  readonly env: string;
  readonly repoUrl: string;
  readonly branch: string;
  /** Namespace where ArgoCD runs (the ApplicationSet lives there). */
  readonly argocdNamespace: string;
  /** ArgoCD project of the generated Applications. */
  readonly project: string;
  /** Cluster the env's apps go to. */
  readonly destinationServer: string;
  /** Where app folders go (layout.ts in @hat/gitops): apps/<app>/, or apps/<shard>/<app>/ for thousands of apps. */
  readonly layout: Layout;
}

const yaml = (value: unknown): string => stringify(value, { lineWidth: 0 });

const folderOf = (layout: Layout): string => (layout === 'sharded' ? 'apps/<shard>/<app>/' : 'apps/<app>/');

/** An ApplicationSet with a git directory generator over the app folders: one Application per app folder. */
export function applicationSet(s: EnvScaffold): string {
  return `# One ArgoCD Application per folder ${folderOf(s.layout)} (written by hat env init).
# HAT relies on annotation-based resource tracking (argocd-cm: application.resourceTrackingMethod: annotation,
# the default since Argo CD 3.0): label tracking would prune Tekton PipelineRuns (tektoncd/pipeline#3202).
${yaml({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'ApplicationSet',
  metadata: { name: `hat-${s.env}`, namespace: s.argocdNamespace },
  spec: {
    goTemplate: true,
    goTemplateOptions: ['missingkey=error'],
    generators: [{ git: { repoURL: s.repoUrl, revision: s.branch, directories: [{ path: s.layout === 'sharded' ? 'apps/*/*' : 'apps/*' }] } }],
    template: {
      metadata: { name: `${s.env}-{{.path.basename}}`, labels: { [ENV_LABEL]: s.env, [APP_LABEL]: '{{.path.basename}}' } },
      spec: {
        project: s.project,
        source: { repoURL: s.repoUrl, targetRevision: s.branch, path: '{{.path.path}}', helm: { releaseName: '{{.path.basename}}' } },
        destination: { server: s.destinationServer, namespace: `{{.path.basename}}-${s.env}` },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      },
    },
  },
})}`;
}

export function envReadme(s: EnvScaffold): string {
  return `# ${s.env} environment (GitOps repo)

This repo says what runs in **${s.env}**. ArgoCD renders each folder \`${folderOf(s.layout)}\` with Helm and syncs it
(\`argocd/applicationset.yaml\`: one Application per app folder).${
    s.layout === 'sharded'
      ? ` Apps are sharded (\`${LAYOUT_FILE}\`): \`<shard>\` is the first two hex digits of the SHA-256 of the app's name, so
that no folder lists more than a few hundred entries however many apps there are.`
      : ''
  }

- \`${folderOf(s.layout)}Chart.yaml\`: an umbrella chart with one dependency, the app's own chart, at the deployed version.
- \`${folderOf(s.layout)}values.yaml\`: values for ${s.env} only, under the dependency's key; \`<app>.image.tag\` is the deployed version.

Changes arrive as commits from the \`deploy-${s.env}\` Tekton task (or \`hat deploy\` for hotfixes and rollbacks),
with trailers (\`Hat-App\`, \`Hat-Version\`, \`Hat-Source-Commit\`, …) that \`hat status\` and \`hat history\` read.
Roll back by deploying the previous version with \`--rollback\`, or with \`git revert\`.

Add an app: \`npx hat env add-app --env ${s.env} --repo ${s.repoUrl} --app <app> --chart-repo oci://<registry>/charts --version <v>\`.
`;
}

export function envFiles(s: EnvScaffold): Record<string, string> {
  return {
    'README.md': envReadme(s),
    ...(s.layout === 'flat' ? {} : { [LAYOUT_FILE]: layoutFile(s.layout) }),
    'apps/.gitkeep': '',
    'argocd/applicationset.yaml': applicationSet(s),
  };
}

export interface AppScaffold {
  readonly app: string;
  readonly env: string;
  /** Where the app chart is published, e.g. oci://registry.example.com/charts. */
  readonly chartRepo: string;
  /** Name of the app chart (defaults to the app name). */
  readonly chart: string;
  readonly version: string;
  /** Env-specific values under the dependency key (besides image.tag). */
  readonly values: Readonly<Record<string, unknown>>;
}

/** The app folder's Chart.yaml and values.yaml: an umbrella chart depending on the app chart at one version. */
export function appFiles(a: AppScaffold, layout: Layout): Record<string, string> {
  const chart = yaml({
    apiVersion: 'v2',
    name: a.app,
    description: `${a.app} in ${a.env} (umbrella chart; the app chart's version is the deployed version)`,
    type: 'application',
    version: '0.1.0',
    dependencies: [{ name: a.chart, version: a.version, repository: a.chartRepo }],
  });
  const values = `# Values for ${a.app} in ${a.env} only; everything else comes from the app chart's defaults.
# ${a.chart}.image.tag is set by the deploy task to the deployed version.
${yaml({ [a.chart]: { ...a.values, image: { tag: a.version } } })}`;
  const dir = appDir(a.app, layout);
  return { [`${dir}/Chart.yaml`]: chart, [`${dir}/values.yaml`]: values };
}
