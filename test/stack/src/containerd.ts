// containerd (Debian's, with runc) on its own socket, root and state dirs in a temp dir, without CRI: enough for
// `ctr run`, which runs the task images in tests the way a kubelet would run a step (ctrRuntime). Needs root.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { runStepProcess, type ContainerRuntime, type ContainerStep } from '@hat/task-runner';
import { findBinary } from './binaries.ts';
import { createServerHome } from './server-home.ts';
import { waitFor } from './wait.ts';

export interface Containerd {
  /** The gRPC socket. */
  readonly address: string;
  readonly namespace: string;
  /** Runs ctr against this containerd; rejects with ctr's stderr on a non-zero exit. */
  ctr(args: readonly string[]): Promise<string>;
  /** Imports an OCI archive and names the image `name` (e.g. the exact reference a Task's step gives). */
  importImage(archive: string, name: string): Promise<void>;
  /** Runs Task steps with `ctr run` (see ctrRuntime). */
  runtime(): ContainerRuntime;
  stop(): Promise<void>;
}

const config = (dir: string): string => `version = 2
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "${dir}/containerd.sock"
[ttrpc]
  address = "${dir}/containerd.sock.ttrpc"
[metrics]
  address = ""
`;

/** ctr against a running containerd (this stack's, or a cluster's in namespace k8s.io): image import and runs. */
export function containerdClient(address: string, namespace: string): Omit<Containerd, 'stop'> {
  const ctr = async (args: readonly string[]): Promise<string> => {
    const res = await execa(findBinary('ctr'), ['--address', address, '--namespace', namespace, ...args], { reject: false, stdin: 'ignore' });
    if (res.exitCode !== 0) throw new Error(`ctr ${args.slice(0, 2).join(' ')} failed (exit ${res.exitCode}): ${res.stderr.trim().split('\n').slice(-3).join(' ')}`);
    return res.stdout;
  };
  return {
    address,
    namespace,
    ctr,
    async importImage(archive, name) {
      // A digest-only name (repo@sha256:…) is made by the import itself (--digests names each manifest
      // <base-name>@<digest>): imported under another name and renamed, the node's CRI kept looking the image up by the
      // removed name ("failed to get image … import-<date>:… not found") and the pod never started.
      const digestOnly = /^([^@]+)@(sha256:[0-9a-f]{64})$/.exec(name);
      if (digestOnly && !/:[^/]*$/.test(digestOnly[1]!)) {
        await ctr(['images', 'import', '--base-name', digestOnly[1]!, '--digests', archive]);
        if (!(await ctr(['images', 'ls', '-q'])).split('\n').includes(name)) throw new Error(`ctr images import ${archive}: no image ${name} (its manifest has another digest)`);
        return;
      }
      const before = new Set((await ctr(['images', 'ls', '-q'])).split('\n').filter(Boolean));
      await ctr(['images', 'import', archive]);
      const added = (await ctr(['images', 'ls', '-q'])).split('\n').filter((n) => n && !before.has(n));
      const source = added[0] ?? [...before].find((n) => n === name);
      if (!source) throw new Error(`ctr images import ${archive}: no image added`);
      if (source !== name) {
        await ctr(['images', 'tag', '--force', source, name]);
        await ctr(['images', 'rm', source]);
      }
    },
    runtime: () => ctrRuntime(address, namespace),
  };
}

export async function startContainerd(options: { maxSeconds?: number } = {}): Promise<Containerd> {
  if (process.getuid?.() !== 0) throw new Error('containerd: the image tests run containers and need root');
  const home = createServerHome('hat-containerd-', options.maxSeconds);
  try {
    await writeFile(home.path('config.toml'), config(home.dir));
    const address = home.path('containerd.sock');
    const namespace = 'hat';
    const daemon = home.start({ name: 'containerd', command: findBinary('containerd'), args: ['--config', home.path('config.toml')], env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' } });
    const client = containerdClient(address, namespace);
    await waitFor(() => client.ctr(['version']).then(() => true, () => false), { what: `containerd on ${address}`, timeoutMs: 30_000, failIf: () => daemon.exitReason() });
    return { ...client, stop: () => home.dispose() };
  } catch (error) {
    await home.dispose();
    throw error;
  }
}

/** The capabilities containerd's default spec gives a container (oci.populateDefaultUnixSpec). */
const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const capName = (c: unknown): string => `CAP_${String(c).toUpperCase().replace(/^CAP_/, '')}`;

/**
 * A step's securityContext as ctr run flags: read-only root, capabilities, seccomp, no_new_privs, privileged.
 * ctr cannot change the user: the image's USER applies, and it must be the Task's runAsUser (the test checks it).
 * AppArmor is not enforced on these machines (the field is ignored).
 */
export function securityArgs(sc: Readonly<Record<string, unknown>>): string[] {
  const args: string[] = [];
  if (sc['privileged'] === true) return ['--privileged'];
  if (sc['readOnlyRootFilesystem'] === true) args.push('--read-only');
  const caps = (sc['capabilities'] ?? {}) as { add?: unknown[]; drop?: unknown[] };
  const add = (caps.add ?? []).map(capName);
  const drop = (caps.drop ?? []).map(capName).includes('CAP_ALL') ? DEFAULT_CAPS : (caps.drop ?? []).map(capName);
  for (const c of add) if (!DEFAULT_CAPS.includes(c)) args.push('--cap-add', c);
  for (const c of drop) if (!add.includes(c)) args.push('--cap-drop', c);
  const seccomp = (sc['seccompProfile'] ?? {}) as { type?: string };
  if (seccomp.type === 'RuntimeDefault') args.push('--seccomp');
  if (sc['allowPrivilegeEscalation'] !== false) args.push('--allow-new-privs');
  return args;
}

/** Runs each step with `ctr run --rm --net-host` (the stack's servers are on 127.0.0.1): env from a private file. */
export function ctrRuntime(address: string, namespace: string): ContainerRuntime {
  return {
    async run(step: ContainerStep): Promise<number> {
      const id = `${step.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 40)}-${randomBytes(4).toString('hex')}`;
      // Env through a private file, not argv (ps shows argv).
      const envDir = await mkdtemp(path.join(os.tmpdir(), 'hat-ctr-env-'));
      const file = path.join(envDir, 'env');
      await writeFile(file, Object.entries(step.env).map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}\n`).join(''), { mode: 0o600 });
      try {
        const args = [
          '--address', address, '--namespace', namespace, 'run', '--rm', '--net-host', '--env-file', file,
          ...(step.workingDir ? ['--cwd', step.workingDir] : []),
          ...step.mounts.map((m) => `--mount=type=bind,src=${m.source},dst=${m.destination},options=rbind:${m.readOnly ? 'ro' : 'rw'}`),
          ...securityArgs(step.securityContext),
          step.image, id, ...step.command,
        ];
        return await runStepProcess(findBinary('ctr'), args, { signal: step.signal, onLine: step.onLine });
      } finally {
        await rm(envDir, { recursive: true, force: true });
      }
    },
  };
}
