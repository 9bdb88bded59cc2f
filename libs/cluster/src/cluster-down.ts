// `hat cluster down`: stops exactly what `up` started (by the PIDs it recorded), after the kubelet has taken its
// pods down (so their network namespaces and veths go through CNI), unmounts the kubelet's mounts, removes the
// iptables chains of the kubelet and CNI, the routes, the bridge, the address on lo, and the state. Containers
// whose pods the kubelet did not take down in time (they outlive their shims) are stopped by their pod cgroup. Also
// after a crash: each step tolerates what is already gone.
import { readdir, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeconfig } from './apply.ts';
import { createLogger, run, type Logger } from '@hat/task-runtime';
import { daemonNames, daemonPid, stopDaemon } from './daemons.ts';
import { removeClusterIptables, tearDownHostNetwork } from './host-network.ts';
import { DEFAULT_NETWORK, type ClusterNetwork } from './network.ts';
import { clusterLayout, type ClusterLayout } from './state.ts';

/** Stopped last to first. */
const ORDER = ['kube-proxy', 'kubelet', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd', 'containerd'];

async function deleteAllPods(l: ClusterLayout, log: Logger): Promise<void> {
  if ((await daemonPid(l, 'kube-apiserver')) === undefined || (await daemonPid(l, 'kubelet')) === undefined) return;
  const core = loadKubeconfig(l.adminKubeconfig).makeApiClient(CoreV1Api);
  try {
    const pods = (await core.listPodForAllNamespaces()).items;
    for (const p of pods) await core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: p.metadata!.namespace!, gracePeriodSeconds: 0 }).catch(() => undefined);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await core.listPodForAllNamespaces()).items.length > 0) await sleep(500);
    log.info(`took ${pods.length} pod(s) down`);
  } catch {
    // The API server is not answering: the containers go with containerd below.
  }
}

/**
 * The containerd shims of this cluster's containerd (argv `-address <its socket>`): they outlive containerd by design,
 * so a pod the kubelet did not take down in time leaves one behind. Found by PID in /proc, never by name.
 */
export async function shimPids(socket: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const at = argv.indexOf('-address');
    if (/containerd-shim/.test(argv[0] ?? '') && at > 0 && argv[at + 1] === socket) pids.push(Number(entry));
  }
  return pids;
}

async function stopShims(l: ClusterLayout, log: Logger): Promise<void> {
  const pids = await shimPids(l.containerdSocket);
  if (pids.length === 0) return;
  const signal = (list: number[], sig: NodeJS.Signals) => list.forEach((pid) => { try { process.kill(pid, sig); } catch { /* gone */ } });
  signal(pids, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && (await shimPids(l.containerdSocket)).length > 0) await sleep(200);
  signal(await shimPids(l.containerdSocket), 'SIGKILL');
  log.info(`stopped ${pids.length} leftover containerd shim(s)`);
}

/** Where the kubelet (cgroupfs driver, the default root) puts its pods' cgroups: cgroup v1's pids hierarchy, or v2. */
const POD_CGROUPS = ['/sys/fs/cgroup/pids/kubepods', '/sys/fs/cgroup/kubepods', '/sys/fs/cgroup/unified/kubepods'];

/**
 * The processes of this node's pods: every PID in the kubelet's pod cgroups. A container outlives its shim (killed
 * below when the kubelet did not take its pod down in time), so these are found by cgroup, never by name.
 */
export async function podPids(roots: readonly string[] = POD_CGROUPS): Promise<number[]> {
  const pids = new Set<number>();
  for (const root of roots) {
    const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
    for (const entry of ['cgroup.procs', ...entries.filter((e) => e.endsWith('/cgroup.procs'))]) {
      const text = await readFile(`${root}/${entry}`, 'utf8').catch(() => '');
      for (const line of text.split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
    }
  }
  return [...pids].sort((a, b) => a - b);
}

async function stopPodProcesses(log: Logger): Promise<void> {
  const pids = await podPids();
  if (pids.length === 0) return;
  // SIGKILL to a container's first process ends every process in its PID namespace.
  const kill = (list: number[]) => list.forEach((pid) => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } });
  kill(pids);
  const deadline = Date.now() + 10_000;
  for (let left = await podPids(); left.length > 0; left = await podPids()) {
    if (Date.now() > deadline) throw new Error(`cluster down: ${left.length} pod process(es) did not stop after SIGKILL (PIDs ${left.join(' ')}); stop them before the next cluster up`);
    kill(left);
    await sleep(200);
  }
  log.info(`stopped ${pids.length} pod process(es) left running`);
}

/** The mounts under the state dir (the kubelet bind-mounts its root dir; pods' volumes), deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m === dir || m.startsWith(`${dir}/`));
  for (const m of mounts.sort((a, b) => b.length - a.length)) await run('umount', ['-l', m], { okExitCodes: [32] });
}

export async function clusterDown(opts: { log?: Logger; network?: ClusterNetwork; layout?: ClusterLayout } = {}): Promise<void> {
  const log = opts.log ?? createLogger({ prefix: 'cluster' });
  const l = opts.layout ?? clusterLayout();
  const net = opts.network ?? DEFAULT_NETWORK;
  // Nothing may recreate pods while they are taken down (a Deployment's ReplicaSet would).
  await stopDaemon(l, 'kube-controller-manager');
  await stopDaemon(l, 'kube-scheduler');
  await stopDaemon(l, 'provisioner');
  await deleteAllPods(l, log);
  const names = await daemonNames(l);
  for (const name of [...ORDER, ...names.filter((n) => !ORDER.includes(n))]) await stopDaemon(l, name);
  await stopShims(l, log);
  await stopPodProcesses(log);
  await unmountUnder(l.dir);
  await removeClusterIptables();
  await tearDownHostNetwork(net);
  await rm(l.dir, { recursive: true, force: true, maxRetries: 3 });
  log.info('cluster down: processes stopped, mounts, iptables chains, routes, bridge and the lo address removed');
}
