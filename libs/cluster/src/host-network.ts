// Puts the cluster's addresses on this machine and takes them off again: the node /32 on lo, `unreachable`
// routes (high metric) for the service and pod ranges so that nothing of theirs ever leaves by the default route,
// the CNI bridge with the pods' gateway address, and the service range via the bridge (host → ClusterIP, before
// kube-proxy's DNAT). Every step is checked by networkProblems() before a component starts. Only what this file
// adds is removed, and the iptables chains the kubelet, kube-proxy and CNI made (KUBE-*, CNI-*).
import { run } from '@hat/task-runtime';
import { probesOf, type ClusterNetwork } from './network.ts';

const ip = (args: readonly string[], okExitCodes: readonly number[] = []): Promise<unknown> => run('ip', args, { okExitCodes });
const UNREACHABLE_METRIC = '4242';

/** The pods' gateway on the bridge: the range's first host address. */
export const bridgeAddress = (net: ClusterNetwork): string => probesOf(net.podCidr)[1]!;
const prefixOf = (cidr: string): string => cidr.split('/')[1] ?? '24';

export async function setUpHostNetwork(net: ClusterNetwork): Promise<void> {
  // 2 = "File exists": already there (a second `up`, or one after a crash).
  await ip(['addr', 'add', `${net.nodeAddress}/32`, 'dev', 'lo'], [2]);
  for (const cidr of [net.serviceCidr, net.podCidr]) await ip(['route', 'add', 'unreachable', cidr, 'metric', UNREACHABLE_METRIC], [2]);
  await ip(['link', 'add', net.bridge, 'type', 'bridge'], [2]);
  await ip(['addr', 'add', `${bridgeAddress(net)}/${prefixOf(net.podCidr)}`, 'dev', net.bridge], [2]);
  await ip(['link', 'set', net.bridge, 'up']);
  await ip(['route', 'add', net.serviceCidr, 'dev', net.bridge], [2]);
}

export async function tearDownHostNetwork(net: ClusterNetwork): Promise<void> {
  await ip(['route', 'del', net.serviceCidr, 'dev', net.bridge], [1, 2]);
  await ip(['link', 'del', net.bridge], [1, 2]);
  for (const cidr of [net.serviceCidr, net.podCidr]) await ip(['route', 'del', 'unreachable', cidr, 'metric', UNREACHABLE_METRIC], [1, 2]);
  await ip(['addr', 'del', `${net.nodeAddress}/32`, 'dev', 'lo'], [1, 2]);
}

const OURS = /^(KUBE-|CNI-)/;

/** Removes the KUBE-* and CNI-* chains, and the jumps to them, from iptables and ip6tables (filter, mangle, nat). */
export async function removeClusterIptables(): Promise<void> {
  for (const tool of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'mangle', 'nat']) {
      const listed = await run(tool, ['-w', '-t', table, '-S'], { okExitCodes: [1, 2, 3] }).catch(() => undefined);
      if (!listed || listed.exitCode !== 0) continue;
      const lines = listed.stdout.split('\n');
      // Jumps from the built-in chains into ours, then our chains' rules, then the chains themselves.
      for (const line of lines) {
        const m = /^-A (\S+) (.*)$/.exec(line);
        if (m && !OURS.test(m[1]!) && / -j (KUBE-|CNI-)\S+/.test(` ${m[2]!}`)) await run(tool, ['-w', '-t', table, '-D', m[1]!, ...splitRule(m[2]!)], { okExitCodes: [1] });
      }
      const chains = lines.map((l) => /^-N (\S+)$/.exec(l)?.[1]).filter((c): c is string => c !== undefined && OURS.test(c));
      for (const chain of chains) await run(tool, ['-w', '-t', table, '-F', chain], { okExitCodes: [1] });
      for (const chain of chains) await run(tool, ['-w', '-t', table, '-X', chain], { okExitCodes: [1] });
    }
  }
}

/** Splits an `iptables -S` rule into arguments (double-quoted strings kept whole). */
export function splitRule(rule: string): string[] {
  const out: string[] = [];
  for (const m of rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]!);
  return out;
}
