import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { allowPlainHttpRegistry, COMPONENTS, ensureClusterBinaries, startBackgroundBuild, clusterDown, clusterLayout, clusterStatus, clusterUp, loadKubeconfig, runProvisioner } from '@hat/cluster';
import { createLogger, HatError } from '@hat/task-runtime';
import { describe } from '../command-table.ts';

export function registerClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description(describe('cluster'));
  cluster
    .command('up')
    .description('start a single-node Kubernetes with Tekton Pipelines, Triggers and Argo CD on this machine (root; the first run builds its programs from the Go module proxy, tens of minutes)')
    .option('--no-addons', 'the bare cluster: no Tekton, Triggers or Argo CD')
    .action(async (o: { addons: boolean }) => {
      const up = await clusterUp({ log: createLogger({ prefix: 'cluster' }), addons: o.addons });
      process.stdout.write(`cluster up in ${up.seconds} s: ${up.server}\nkubeconfig: ${up.kubeconfig}\n  export KUBECONFIG=${up.kubeconfig}\n`);
    });
  cluster
    .command('build')
    .description("build the cluster's programs (Kubernetes, etcd, CoreDNS, Tekton, Triggers, Argo CD) into the per-user cache without starting anything; cold: about 40 min on 2 cores")
    .option('--background', 'build detached at the lowest CPU priority (nice 19) and return at once; hat cluster up waits for a component still being built')
    .option('--pid-file <file>', 'with --background: write the build\'s pid (its process group) there')
    .action(async (o: { background?: boolean; pidFile?: string }) => {
      if (o.background) {
        const started = await startBackgroundBuild([process.execPath, process.argv[1]!, 'cluster', 'build']);
        if (started && o.pidFile) await writeFile(o.pidFile, `${started.pid}\n`);
        process.stdout.write(started ? `building ${started.components.join(', ')} in the background (pid ${started.pid}, nice 19); log: ${started.log}\n` : `the cluster's programs are cached (${COMPONENTS.join(', ')})\n`);
        return;
      }
      const built = await ensureClusterBinaries({ log: createLogger({ prefix: 'cluster' }) });
      for (const b of Object.values(built)) process.stdout.write(`${b.component.padEnd(18)} ${b.version.padEnd(10)} ${b.built ? `built in ${b.seconds} s` : 'cached'}  ${b.dir}\n`);
    });
  cluster
    .command('down')
    .description("stop what `up` started and remove its processes, mounts, iptables chains, routes, addresses and state")
    .action(async () => clusterDown({ log: createLogger({ prefix: 'cluster' }) }));
  cluster
    .command('status')
    .description("the cluster's processes, whether its node is Ready, and Tekton's, Triggers' and Argo CD's versions and readiness")
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await clusterStatus();
      if (o.json) {
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        return;
      }
      for (const [name, pid] of Object.entries(s.processes)) process.stdout.write(`${name.padEnd(24)} ${pid ? `running (pid ${pid})` : 'stopped'}\n`);
      process.stdout.write(`${'node'.padEnd(24)} ${s.node ? `${s.node.name} ${s.node.ready ? 'Ready' : 'NotReady'} ${s.node.version ?? ''}` : 'none'}\n`);
      for (const a of s.addons ?? []) {
        const pods = a.workloads.map((w) => `${w.name.replace(/^[a-z]+\//, '')} ${w.ready}/${w.want}`).join(', ');
        process.stdout.write(`${a.name.padEnd(24)} ${a.version === null ? 'not installed' : `${a.version} ${a.ready ? 'Ready' : 'NotReady'} (${pods})`}\n`);
      }
      if (!s.ready) process.exitCode = 1;
    });
  cluster
    .command('provisioner', { hidden: true })
    .description('the dynamic provisioner of the hat-local StorageClass (a process hat cluster up starts)')
    .action(async () => {
      const layout = clusterLayout();
      await runProvisioner(loadKubeconfig(layout.adminKubeconfig), layout.volumes, (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
    });
  cluster
    .command('allow-registry')
    .description("let the node pull images over plain HTTP from a registry on this machine (<IPv4>:<port>; no restart)")
    .argument('<host>', 'the registry, as <IPv4 address>:<port> of this machine')
    .action(async (host: string) => {
      process.stdout.write(`${await allowPlainHttpRegistry(clusterLayout(), host)}\n`);
    });
  cluster
    .command('kubeconfig')
    .description("print the path of the cluster's admin kubeconfig")
    .action(async () => {
      const s = await clusterStatus();
      if (!s.kubeconfig) throw new HatError(`no cluster is up (no ${clusterLayout().adminKubeconfig}): run hat cluster up`);
      process.stdout.write(`${s.kubeconfig}\n`);
    });
}
