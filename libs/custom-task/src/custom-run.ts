// Tekton's CustomRun (tekton.dev/v1beta1), as a custom task's controller reads and completes it: what Tekton
// creates for a Pipeline task whose taskRef names an apiVersion and kind of ours, and the status it waits for
// (condition Succeeded True or False, results, completionTime). Pure: no API calls here (serve.ts makes them).

export const GROUP = 'tekton.dev';
export const VERSION = 'v1beta1';
export const PLURAL = 'customruns';

/** The custom task a controller serves: a Pipeline task's taskRef {apiVersion, kind, name}. */
export interface CustomTaskRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

export interface CustomRun {
  readonly metadata: { readonly name: string; readonly uid: string; readonly namespace?: string; readonly creationTimestamp?: string | Date };
  readonly spec?: {
    readonly customRef?: Partial<CustomTaskRef>;
    readonly params?: ReadonlyArray<{ readonly name: string; readonly value: unknown }>;
    /** "RunCancelled" once its PipelineRun is cancelled or timed out. */
    readonly status?: string;
    readonly statusMessage?: string;
  };
  readonly status?: { readonly conditions?: readonly Condition[]; readonly startTime?: string };
}

/** What serving a run gave: its results, or the one-line error it fails with. */
export type RunOutcome = { readonly results: Readonly<Record<string, string>> } | { readonly error: string };

export const isFor = (run: CustomRun, ref: CustomTaskRef): boolean => {
  const r = run.spec?.customRef;
  return r?.apiVersion === ref.apiVersion && r.kind === ref.kind && r.name === ref.name;
};

/** Done: its Succeeded condition is True or False (by its controller, or by Tekton for a timeout). */
export const isDone = (run: CustomRun): boolean => run.status?.conditions?.some((c) => c.type === 'Succeeded' && c.status !== 'Unknown') ?? false;

export const isCancelled = (run: CustomRun): boolean => run.spec?.status === 'RunCancelled';

/** Its params as strings, or why not (a custom task's params are strings here; arrays and objects are refused). */
export function paramsOf(run: CustomRun): Record<string, string> | Error {
  const out: Record<string, string> = {};
  for (const p of run.spec?.params ?? []) {
    if (typeof p.value !== 'string') return new Error(`param ${p.name}: expected a string, got ${Array.isArray(p.value) ? 'an array' : typeof p.value}`);
    out[p.name] = p.value;
  }
  return out;
}

/** The status patch that completes a run (a JSON merge patch of its status subresource). */
export function completion(run: CustomRun, outcome: RunOutcome, reason?: string, now = new Date()): { status: Record<string, unknown> } {
  const at = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const ok = 'results' in outcome;
  return {
    status: {
      conditions: [
        {
          type: 'Succeeded',
          status: ok ? 'True' : 'False',
          reason: reason ?? (ok ? 'Succeeded' : 'Failed'),
          message: ok ? 'done' : outcome.error,
          lastTransitionTime: at,
        },
      ],
      startTime: run.status?.startTime ?? at,
      completionTime: at,
      ...(ok ? { results: Object.entries(outcome.results).map(([name, value]) => ({ name, value })) } : {}),
    },
  };
}
