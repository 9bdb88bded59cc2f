import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IMAGE_ENTRYPOINT } from '@hat/task-spec';
import { InputError } from '@hat/task-runtime';
import { ensureBundle, toolsBin } from './bundle.ts';
import { POD_RESULTS_DIR, podWorkspacePath, type ContainerRuntime } from './container-runtime.ts';
import { runStepProcess } from './step-process.ts';
import { substitute } from './substitute.ts';

interface TaskYaml {
  metadata: { name: string };
  spec: {
    params?: Array<{ name: string; default?: string }>;
    results?: Array<{ name: string }>;
    workspaces?: Array<{ name: string; optional?: boolean; readOnly?: boolean }>;
    volumes?: Array<{ name: string; secret?: { secretName: string; optional?: boolean }; configMap?: { name: string; optional?: boolean }; emptyDir?: object }>;
    steps: Array<{
      name: string;
      image: string;
      command?: string[];
      args?: string[];
      env?: Array<{ name: string; value?: string }>;
      volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
      securityContext?: Record<string, unknown>;
      workingDir?: string;
      script?: string;
    }>;
  };
}

export interface LocalRunOptions {
  /** The Tekton Task object (rendered from a definition, or read from the catalog). */
  readonly task: unknown;
  readonly params?: Readonly<Record<string, string>>;
  /** Workspace name → host directory. */
  readonly workspaces?: Readonly<Record<string, string>>;
  /** `secret/<name>` or `configmap/<name>` (or just `<name>`) → host directory holding its keys as files, as Kubernetes mounts them. */
  readonly mounts?: Readonly<Record<string, string>>;
  /** Where result files go; a temp dir (removed afterwards) when not given. */
  readonly resultsDir?: string;
  /** Extra environment for the step process (e.g. HAT_DEBUG); the step otherwise starts clean, like a pod. */
  readonly env?: Readonly<Record<string, string>>;
  /** Receives each log line of the step as it comes. */
  readonly onLog?: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly taskRunName?: string;
  /** Steps of non-HAT images (e.g. a test step) run their command or script on this host. */
  readonly hostCommands?: boolean;
  /** Extra `$(…)` variables, e.g. `context.pipelineRun.name`. */
  readonly context?: Readonly<Record<string, string>>;
  /**
   * Run each step in its image with this container runtime, as a kubelet would (in-pod paths, bind mounts, the
   * step's securityContext). Without it, a HAT step runs its program's bundle with this host's node.
   */
  readonly runtime?: ContainerRuntime;
}

export interface LocalRunResult {
  readonly exitCode: number;
  readonly results: Record<string, string>;
  /** Everything the step printed (stdout and stderr interleaved by line). */
  readonly log: string;
  /** The `error: …` line of a failed step, if any. */
  readonly errorLine: string | undefined;
  readonly durationMs: number;
}

/** The task program an image carries: the last path segment of its repository (`…/hat/deploy:1.0@sha256:…` → deploy). */
export function programOfImage(image: string): string {
  const repo = image.split('@')[0]!.replace(/:[^/:]+$/, '');
  return repo.slice(repo.lastIndexOf('/') + 1);
}

/** Checks a TaskRun's params against the Task the way Tekton does before it starts a pod. */
function resolveParams(task: TaskYaml, given: Readonly<Record<string, string>>): Record<string, string> {
  const declared = task.spec.params ?? [];
  const unknown = Object.keys(given).filter((n) => !declared.some((p) => p.name === n));
  if (unknown.length > 0) throw new InputError(`task ${task.metadata.name} has no param ${unknown.join(', ')} (it takes: ${declared.map((p) => p.name).join(', ')})`);
  const missing = declared.filter((p) => given[p.name] === undefined && p.default === undefined).map((p) => p.name);
  if (missing.length > 0) throw new InputError(`task ${task.metadata.name} needs param ${missing.join(', ')}`);
  return Object.fromEntries(declared.map((p) => [p.name, given[p.name] ?? p.default ?? '']));
}

/** Runs one Task on this host exactly as its YAML wires it: env, params, results, workspaces, mounts. */
export async function runTaskLocally(opts: LocalRunOptions): Promise<LocalRunResult> {
  const task = opts.task as TaskYaml;
  const name = task.metadata.name;
  const { runtime } = opts;
  const params = resolveParams(task, opts.params ?? {});
  const workspaces = opts.workspaces ?? {};
  for (const ws of task.spec.workspaces ?? []) {
    if (!ws.optional && !workspaces[ws.name]) throw new InputError(`task ${name} needs workspace ${ws.name} (-w ${ws.name}=DIR)`);
  }
  const started = performance.now();
  const scratch = await mkdtemp(path.join(os.tmpdir(), `hat-run-${name}-`));
  const resultsDir = opts.resultsDir ?? path.join(scratch, 'results');
  await mkdir(resultsDir, { recursive: true });
  const home = path.join(scratch, 'home');
  await mkdir(home);
  try {
    const lookup = (ref: string): string | undefined => {
      const [kind, key, field] = ref.split('.');
      if (kind === 'params' && key !== undefined) return params[key];
      if (kind === 'results' && key && field === 'path') return path.join(runtime ? POD_RESULTS_DIR : resultsDir, key);
      if (kind === 'workspaces' && key && field === 'path') return workspaces[key] ? (runtime ? podWorkspacePath(key) : workspaces[key]) : '';
      if (kind === 'workspaces' && key && field === 'bound') return workspaces[key] ? 'true' : 'false';
      if (ref === 'context.taskRun.name') return opts.taskRunName ?? `${name}-local`;
      if (ref === 'context.task.name') return name;
      return opts.context?.[ref];
    };
    const volumeDirs = new Map<string, string>();
    for (const v of task.spec.volumes ?? []) {
      if (v.emptyDir) {
        // On this host a step keeps the host's own /tmp (the TMPDIR it gets); in a container, an emptyDir is a fresh
        // folder any user of the step can write, as the kubelet makes it.
        if (!runtime) continue;
        const dir = path.join(scratch, 'empty-dirs', v.name);
        await mkdir(dir, { recursive: true });
        await chmod(dir, 0o1777);
        volumeDirs.set(v.name, dir);
        continue;
      }
      const object = v.secret?.secretName ?? v.configMap?.name ?? '';
      const kind = v.secret ? 'secret' : 'configmap';
      const dir = opts.mounts?.[`${kind}/${object}`] ?? opts.mounts?.[object];
      if (dir) volumeDirs.set(v.name, dir);
      else if (!(v.secret?.optional ?? v.configMap?.optional)) throw new InputError(`task ${name} mounts ${v.secret ? 'Secret' : 'ConfigMap'} ${object}: give its keys as files with --mount ${kind}/${object}=DIR`);
      else {
        // An optional object that does not exist: Kubernetes mounts an empty folder.
        const empty = path.join(scratch, 'absent', v.name);
        await mkdir(empty, { recursive: true });
        volumeDirs.set(v.name, empty);
      }
    }
    let exitCode = 0;
    const lines: string[] = [];
    const onLine = (line: string): void => {
      lines.push(line);
      opts.onLog?.(line);
    };
    for (const [index, step] of task.spec.steps.entries()) {
      if (runtime) {
        const env = Object.fromEntries((step.env ?? []).map((e) => [e.name, substitute(e.value ?? '', lookup)]));
        await chmod(resultsDir, 0o777); // Tekton's results dir is an emptyDir the step's user writes
        exitCode = await runtime.run({
          name: `${opts.taskRunName ?? name}-${index}-${step.name}`,
          image: step.image,
          command: [...(step.command ?? []), ...(step.args ?? [])].map((c) => substitute(c, lookup)),
          env: { ...env, ...opts.env },
          workingDir: step.workingDir ? substitute(step.workingDir, lookup) : undefined,
          mounts: [
            { source: resultsDir, destination: POD_RESULTS_DIR, readOnly: false },
            ...Object.entries(workspaces).map(([ws, dir]) => ({
              source: dir,
              destination: podWorkspacePath(ws),
              readOnly: (task.spec.workspaces ?? []).some((w) => w.name === ws && w.readOnly === true),
            })),
            ...(step.volumeMounts ?? []).map((m) => ({ source: volumeDirs.get(m.name) ?? '', destination: m.mountPath, readOnly: m.readOnly === true })),
          ],
          securityContext: step.securityContext ?? {},
          onLine,
          signal: opts.signal,
        });
        if (exitCode !== 0) break;
        continue;
      }
      const mountMap = (step.volumeMounts ?? []).map((m) => [m.mountPath, volumeDirs.get(m.name) ?? m.mountPath] as const);
      const hostPath = (value: string): string => {
        for (const [inPod, onHost] of mountMap) if (value === inPod || value.startsWith(`${inPod}/`)) return onHost + value.slice(inPod.length);
        return value;
      };
      const env: Record<string, string> = {
        PATH: `${toolsBin}${path.delimiter}${process.env['PATH'] ?? ''}`,
        HOME: home,
        TMPDIR: os.tmpdir(),
        ...opts.env,
      };
      for (const e of step.env ?? []) env[e.name] = hostPath(substitute(e.value ?? '', lookup));
      const command = [...(step.command ?? []), ...(step.args ?? [])].map((c) => substitute(c, lookup));
      let file: string;
      let args: string[];
      if (command[0] === 'node' && command[1] === IMAGE_ENTRYPOINT) {
        // A HAT task image: run its program's bundle with this host's node.
        file = process.execPath;
        args = [await ensureBundle(programOfImage(step.image)), ...command.slice(2)];
      } else if (opts.hostCommands) {
        // Any other image (e.g. the app's test step): its command runs on this host, not in the image.
        if (step.script !== undefined) {
          const scriptFile = path.join(scratch, `${step.name}.script`);
          await writeFile(scriptFile, substitute(step.script, lookup), { mode: 0o755 });
          [file, ...args] = step.script.startsWith('#!') ? [scriptFile] : ['sh', scriptFile];
        } else {
          if (command.length === 0) throw new InputError(`step ${step.name} of ${name} has no command; the local runner cannot use an image's entrypoint`);
          [file, ...args] = command as [string, ...string[]];
        }
      } else {
        throw new InputError(`step ${step.name} of ${name} runs image ${step.image}; the local runner runs HAT task images (node ${IMAGE_ENTRYPOINT}) unless host commands are allowed`);
      }
      exitCode = await runStepProcess(file, args, { env, cwd: step.workingDir ? substitute(step.workingDir, lookup) : scratch, signal: opts.signal, onLine });
      if (exitCode !== 0) break;
    }
    const results: Record<string, string> = {};
    for (const r of task.spec.results ?? []) {
      const value = await readFile(path.join(resultsDir, r.name), 'utf8').catch(() => undefined);
      if (value !== undefined) results[r.name] = value;
    }
    const errorLine = [...lines].reverse().find((l) => /(^|\] )error: /.test(l));
    return { exitCode, results, log: lines.join('\n'), errorLine, durationMs: Math.round(performance.now() - started) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
