// `hat install`: onto a cluster that runs Tekton Pipelines, Triggers and Argo CD (the local one or any other),
// what HAT adds: the tasks namespace, the Argo CD AppProject and Application that sync the catalog from git, the
// per-env `hat-gitops-<env>` ConfigMaps and Secrets, Argo CD following env repos, and optionally an app's pipeline
// chart. It checks the add-ons first (present, versions HAT supports) and changes nothing when one is missing.
// Server-side apply, so a second run changes nothing and says so; then a bounded wait, with progress, until Argo CD
// has synced the catalog.
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { catalogApplication, catalogAppProject, CATALOG_APP_NAME, type CatalogAppOptions } from '@hat/catalog';
import { HatError, InputError, type Logger } from '@hat/task-runtime';
import { ADDONS, ARGOCD_NAMESPACE, isClusterScoped, parseManifests, type AddonName } from './addon-manifests.ts';
import { addonStatus, type AddonStatus } from './addon-status.ts';
import { applyOne, describeObject, waitForWorkload } from './apply.ts';
import { basicCredentials, repositorySecret } from './argocd-repo-secret.ts';
import { ENVIRONMENTS, envObjects, readKeyValues, type EnvFiles } from './install-env.ts';
import { chartRegistryObjects, envSyncObjects, type EnvSync } from './install-env-sync.ts';
import { waitForApplication } from './application.ts';
import { deployControllerName, deployControllerObjects, newestDeployTask, type TaskObject } from './deploy-controller.ts';

/** Oldest version of each add-on HAT supports (HAT's Tasks are tekton.dev/v1; its chart uses Triggers v1beta1). */
export const SUPPORTED_MINIMUM: Readonly<Record<AddonName, string>> = { 'tekton-pipelines': 'v0.59.0', 'tekton-triggers': 'v0.27.0', argocd: 'v2.10.0' };
const TITLES: Readonly<Record<AddonName, string>> = { 'tekton-pipelines': 'Tekton Pipelines', 'tekton-triggers': 'Tekton Triggers', argocd: 'Argo CD' };
const WHERE: Readonly<Record<AddonName, string>> = {
  'tekton-pipelines': 'ConfigMap tekton-pipelines/pipelines-info',
  'tekton-triggers': 'ConfigMap tekton-pipelines/triggers-info',
  argocd: `StatefulSet ${ARGOCD_NAMESPACE}/argocd-application-controller`,
};

const semver = (v: string): number[] | undefined => v.match(/^v?(\d+)\.(\d+)\.(\d+)/)?.slice(1, 4).map(Number);
export function versionAtLeast(version: string, minimum: string): boolean {
  const [a, b] = [semver(version), semver(minimum)];
  if (!a || !b) return false;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
}

/** What keeps HAT from installing: one phrase per add-on that is missing, unsupported or not ready. */
export function addonProblems(status: readonly AddonStatus[]): string[] {
  const problems: string[] = [];
  for (const name of ADDONS) {
    const s = status.find((a) => a.name === name);
    if (!s || s.version === null) problems.push(`${TITLES[name]} is missing (no ${WHERE[name]})`);
    else if (!versionAtLeast(s.version, SUPPORTED_MINIMUM[name])) problems.push(`${TITLES[name]} ${s.version} is older than HAT supports (${SUPPORTED_MINIMUM[name]} or newer)`);
    else if (!s.ready) problems.push(`${TITLES[name]} ${s.version} is not ready (${s.workloads.filter((w) => w.ready < w.want).map((w) => `${w.name} ${w.ready}/${w.want}`).join(', ')})`);
  }
  return problems;
}

export interface InstallOptions {
  readonly config: KubeConfig;
  readonly log: Logger;
  /** The catalog Application (repoURL required); undefined: not installed. */
  readonly catalog?: CatalogAppOptions;
  /** username and password for Argo CD to read the catalog repository (a folder of key files or KEY=VALUE file). */
  readonly catalogCredentials?: string;
  /** The tasks namespace (created when absent). */
  readonly namespace: string;
  readonly envs?: readonly EnvFiles[];
  /** Env repos Argo CD follows (repository Secret + Application hat-env-<env>). */
  readonly envSyncs?: readonly EnvSync[];
  /** Argo CD's Helm OCI repository credentials for the app charts (url, username, password). */
  readonly chartRegistryCredentials?: string;
  /** Argo CD's namespace (default argocd; the catalog's own when given). */
  readonly argocdNamespace?: string;
  /** Rendered pipeline chart (multi-document YAML) to apply into the tasks namespace. */
  readonly pipelineYaml?: string;
  /**
   * Envs whose deploy controller runs in the tasks namespace (deployControllerObjects), from the newest deploy-<env>
   * Task there: after the catalog is synced, and waited for until it runs.
   */
  readonly deployControllers?: readonly string[];
  /** Wait until Argo CD has synced the catalog (Synced and Healthy). */
  readonly wait?: boolean;
  readonly timeoutMs?: number;
}

export interface InstallResult {
  /** Kind namespace/name → 'changed' | 'unchanged'. */
  readonly objects: ReadonlyArray<{ readonly object: string; readonly changed: boolean }>;
  readonly changed: number;
}

/** Argo CD's repository Secret for the catalog repository (declarative setup: label secret-type=repository). */
async function catalogRepoSecret(catalog: CatalogAppOptions, file: string): Promise<KubernetesObject> {
  const creds = await readKeyValues(file, '--catalog-credentials', ['username', 'password']);
  if (!creds['password']) throw new InputError(`--catalog-credentials: ${file} has no password`);
  return repositorySecret(`${CATALOG_APP_NAME}-repo`, catalog.argocdNamespace, { type: 'git', url: catalog.repoURL, ...basicCredentials(creds) });
}

/** Argo CD's namespace: the catalog Application's, else --argocd-namespace, else argocd. */
const argocdNamespaceOf = (opts: InstallOptions): string => opts.catalog?.argocdNamespace ?? opts.argocdNamespace ?? ARGOCD_NAMESPACE;

/** Everything install applies, in order, built (and validated) before anything is sent. */
export async function installObjects(opts: InstallOptions): Promise<KubernetesObject[]> {
  for (const env of opts.deployControllers ?? []) {
    if (!(ENVIRONMENTS as readonly string[]).includes(env)) throw new InputError(`--deploy-controller takes one of ${ENVIRONMENTS.join(', ')} (got ${JSON.stringify(env)})`);
  }
  // The label gives `hat` a field it owns: an object whose fields nobody applied changes with others' updates.
  const objects: KubernetesObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: opts.namespace, labels: { 'app.kubernetes.io/part-of': 'hat' } } }];
  for (const env of opts.envs ?? []) objects.push(...(await envObjects(env, opts.namespace)));
  if (opts.catalogCredentials && !opts.catalog) throw new InputError('--catalog-credentials needs --catalog-repo');
  if (opts.catalog && opts.catalogCredentials) objects.push(await catalogRepoSecret(opts.catalog, opts.catalogCredentials));
  if (opts.catalog) objects.push(catalogAppProject(opts.catalog), catalogApplication(opts.catalog));
  const argocdNamespace = argocdNamespaceOf(opts);
  if (opts.chartRegistryCredentials) objects.push(...(await chartRegistryObjects(opts.chartRegistryCredentials, argocdNamespace)));
  for (const s of opts.envSyncs ?? []) objects.push(...(await envSyncObjects(s, argocdNamespace)));
  for (const o of opts.pipelineYaml ? parseManifests(opts.pipelineYaml) : []) {
    objects.push(isClusterScoped(o) ? o : { ...o, metadata: { ...o.metadata, namespace: o.metadata?.namespace ?? opts.namespace } });
  }
  return objects;
}

export async function install(opts: InstallOptions): Promise<InstallResult> {
  const { config, log } = opts;
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const problems = addonProblems(await addonStatus(config));
  if (problems.length > 0) throw new HatError(`hat install: nothing installed on context ${JSON.stringify(config.getCurrentContext())}: ${problems.join('; ')}`);
  const objects = await installObjects(opts);
  const results: { object: string; changed: boolean }[] = [];
  const apply = async (object: KubernetesObject) => {
    const changed = await applyOne(config, object);
    results.push({ object: describeObject(object), changed });
    log.info(`${describeObject(object)}: ${changed ? 'applied' : 'unchanged'}`);
  };
  for (const object of objects) await apply(object);
  if (opts.catalog && (opts.wait ?? true)) await log.time(`Argo CD synced the catalog (${opts.catalog.repoURL} ${opts.catalog.path})`, () => waitForApplication(config, opts.catalog!.argocdNamespace, CATALOG_APP_NAME, timeoutMs));
  if (opts.deployControllers?.length) {
    const listed = (await config.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: opts.namespace, plural: 'tasks' })) as { items: TaskObject[] };
    for (const env of opts.deployControllers) {
      const task = newestDeployTask(listed.items, env, opts.namespace);
      for (const object of deployControllerObjects(task, { namespace: opts.namespace, argocdNamespace: argocdNamespaceOf(opts) })) await apply(object);
      const name = deployControllerName(env);
      await log.time(`the ${env} deploy controller runs (${task.metadata!.name} ${task.metadata!.labels?.['app.kubernetes.io/version'] ?? ''})`, () => waitForWorkload(config, 'Deployment', opts.namespace, name, timeoutMs));
    }
  }
  return { objects: results, changed: results.filter((r) => r.changed).length };
}
