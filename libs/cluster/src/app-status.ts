// What the cluster says about each app in each env (`hat status --cluster`): the Argo CD Application the env's
// ApplicationSet made for it (labels hat.dev/env and hat.dev/app), what it synced (revision, the image tags it
// runs), its health, and the app's last PipelineRun for that env (labels hat.dev/app and hat.dev/target-env, which
// the pipeline chart's TriggerTemplate sets).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { APP_LABEL, applicationMessage, applicationReady, ENV_LABEL, listApplications } from '@hat/argocd';

export interface ClusterAppStatus {
  readonly app: string;
  readonly env: string;
  /** The Argo CD Application, or null when the env has none for the app. */
  readonly application: string | null;
  readonly sync: string | null;
  /** The env repo commit Argo CD synced. */
  readonly revision: string | null;
  readonly health: string | null;
  /** Argo CD's summary of the images the app runs. */
  readonly images: readonly string[];
  /** Tags of those images: the deployed version, as the cluster runs it. */
  readonly runningVersions: readonly string[];
  /** The Application's own message when it is not Synced/Healthy. */
  readonly message: string | null;
  readonly lastRun: { readonly name: string; readonly outcome: string; readonly started: string | null } | null;
}

interface PipelineRun {
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string };
  status?: { startTime?: string; conditions?: { type: string; status: string; reason?: string }[] };
}

/** The tag of an image reference (`host:port/path:tag[@digest]`), or undefined. */
export function imageTag(image: string): string | undefined {
  const name = image.split('@')[0]!;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(colon + 1) : undefined;
}

/** A PipelineRun's outcome: its Succeeded condition's reason (Succeeded, Completed, Failed, …), or Running/Pending. */
export function runOutcome(run: PipelineRun): string {
  const c = run.status?.conditions?.find((x) => x.type === 'Succeeded');
  return c?.reason ?? (run.status?.startTime ? 'Running' : 'Pending');
}

export async function clusterAppStatus(config: KubeConfig, opts: { argocdNamespace: string; namespace: string }): Promise<ClusterAppStatus[]> {
  const api = config.makeApiClient(CustomObjectsApi);
  const [apps, runs] = await Promise.all([
    listApplications(api, opts.argocdNamespace, `${ENV_LABEL},${APP_LABEL}`),
    api.listNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: opts.namespace, plural: 'pipelineruns', labelSelector: 'hat.dev/app,hat.dev/target-env' }).then((l) => (l as { items: PipelineRun[] }).items),
  ]);
  const key = (app: string, env: string) => `${app}\u0000${env}`;
  const out = new Map<string, ClusterAppStatus>();
  const lastRun = new Map<string, PipelineRun>();
  const created = (r: PipelineRun) => r.metadata.creationTimestamp ?? '';
  for (const r of runs) {
    const k = key(r.metadata.labels!['hat.dev/app']!, r.metadata.labels!['hat.dev/target-env']!);
    const seen = lastRun.get(k);
    if (!seen || created(r) > created(seen) || (created(r) === created(seen) && r.metadata.name > seen.metadata.name)) lastRun.set(k, r);
  }
  const runOf = (k: string) => {
    const r = lastRun.get(k);
    return r ? { name: r.metadata.name, outcome: runOutcome(r), started: r.status?.startTime ?? null } : null;
  };
  for (const a of apps) {
    const [app, env] = [a.metadata.labels![APP_LABEL]!, a.metadata.labels![ENV_LABEL]!];
    const s = a.status ?? {};
    const images = s.summary?.images ?? [];
    const message = applicationReady(s) ? null : applicationMessage(s) || null;
    out.set(key(app, env), {
      app,
      env,
      application: a.metadata.name,
      sync: s.sync?.status ?? null,
      revision: s.sync?.revision ?? null,
      health: s.health?.status ?? null,
      images,
      runningVersions: [...new Set(images.map(imageTag).filter((t): t is string => t !== undefined))],
      message,
      lastRun: runOf(key(app, env)),
    });
  }
  // Apps with runs but no Application yet (the env repo not followed here, or not synced yet).
  for (const k of lastRun.keys()) {
    if (out.has(k)) continue;
    const [app, env] = k.split('\u0000') as [string, string];
    out.set(k, { app, env, application: null, sync: null, revision: null, health: null, images: [], runningVersions: [], message: null, lastRun: runOf(k) });
  }
  return [...out.values()].sort((a, b) => a.app.localeCompare(b.app) || a.env.localeCompare(b.env));
}
