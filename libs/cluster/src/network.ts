// The addresses of the one-machine cluster, and the checks that keep its traffic on this machine. A cluster uses
// private ranges that are not on the machine until they are put there: before any component starts, the node
// address must be on `lo` and routed `local`, and every address of the service and pod ranges must route locally
// (lo, the CNI bridge, or unreachable), never out of the machine's default route. `hat cluster up` refuses to start
// a component otherwise. These are routing-table lookups only (`ip route get` sends nothing).
import { HatError, run } from '@hat/task-runtime';

export interface ClusterNetwork {
  /** A /32 put on `lo`: the node's InternalIP, where the API server and the kubelet listen. */
  readonly nodeAddress: string;
  /** Service ClusterIPs (routed via the CNI bridge, before kube-proxy's DNAT). */
  readonly serviceCidr: string;
  /** Pod IPs (the CNI bridge's range). */
  readonly podCidr: string;
  /** The CNI bridge. */
  readonly bridge: string;
}

/** Small private ranges of HAT's own, away from the usual 10.0/16, 10.96/12 and 10.244/16 defaults. */
export const DEFAULT_NETWORK: ClusterNetwork = { nodeAddress: '10.213.0.1', serviceCidr: '10.213.16.0/24', podCidr: '10.213.32.0/24', bridge: 'hat0' };

export interface Route {
  /** `local`, `unicast` (a gateway or a device), `unreachable`, `blackhole`, `prohibit`, … */
  readonly type: string;
  readonly dev: string | undefined;
  readonly via: string | undefined;
  readonly line: string;
}

/** Parses one line of `ip -o route get ADDR`. */
export function parseRouteGet(line: string): Route {
  const words = line.trim().split(/\s+/);
  const after = (key: string): string | undefined => {
    const i = words.indexOf(key);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const first = words[0] ?? '';
  const type = ['local', 'unreachable', 'blackhole', 'prohibit', 'broadcast', 'multicast', 'throw'].includes(first) ? first : 'unicast';
  return { type, dev: after('dev'), via: after('via'), line: line.trim().replace(/\s*\\\s*/g, ' ') };
}

export async function routeOf(address: string): Promise<Route> {
  const { stdout, exitCode, stderr } = await run('ip', ['-o', 'route', 'get', address], { okExitCodes: [2] });
  // "RTNETLINK answers: Network is unreachable" (exit 2) is an unreachable route: nothing leaves the machine.
  if (exitCode === 2) return { type: 'unreachable', dev: undefined, via: undefined, line: stderr.trim() };
  return parseRouteGet(stdout.split('\n')[0] ?? '');
}

/** A route that keeps traffic on this machine: local delivery, the loopback or the cluster's bridge, or none. */
export const staysLocal = (r: Route, bridge: string): boolean =>
  r.type === 'local' || r.type === 'unreachable' || r.type === 'blackhole' || r.type === 'prohibit' || (r.via === undefined && (r.dev === 'lo' || r.dev === bridge));

/** Addresses checked in a range: its first, second, middle and last (IPv4 CIDR). */
export function probesOf(cidr: string): string[] {
  const [base = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  const octets = base.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255)) || !(bits >= 8 && bits <= 32)) throw new HatError(`not an IPv4 CIDR: ${JSON.stringify(cidr)}`);
  const start = (((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!) & (bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits));
  const size = 2 ** (32 - bits);
  const at = (n: number): string => [24, 16, 8, 0].map((s) => (((start >>> 0) + n) >>> s) & 255).join('.');
  return [...new Set([at(0), at(Math.min(1, size - 1)), at(Math.floor(size / 2)), at(size - 1)])];
}

/** Whether `address` is on `lo` as a /32. */
export async function onLoopback(address: string): Promise<boolean> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', 'lo']);
  return stdout.split('\n').some((l) => l.split(/\s+/).includes(`${address}/32`));
}

/**
 * What keeps a component from starting safely, one line each (empty: safe): the node address not on lo or not
 * routed local; any probe address of the service or pod range routed out of the machine.
 */
export async function networkProblems(net: ClusterNetwork): Promise<string[]> {
  const problems: string[] = [];
  if (!(await onLoopback(net.nodeAddress))) problems.push(`node address ${net.nodeAddress}/32 is not on lo`);
  const node = await routeOf(net.nodeAddress);
  if (node.type !== 'local') problems.push(`node address ${net.nodeAddress} does not route local (ip route get: ${node.line})`);
  for (const [what, cidr] of [['service range', net.serviceCidr], ['pod range', net.podCidr]] as const) {
    for (const address of probesOf(cidr)) {
      const r = await routeOf(address);
      if (!staysLocal(r, net.bridge)) problems.push(`${what} ${cidr}: ${address} would leave this machine (ip route get: ${r.line})`);
    }
  }
  return problems;
}

/** Refuses to start a cluster component unless networkProblems() is empty. */
export async function assertNetworkSafe(net: ClusterNetwork, component: string): Promise<void> {
  const problems = await networkProblems(net);
  if (problems.length > 0) throw new HatError(`refusing to start ${component}: ${problems.join('; ')}`);
}
