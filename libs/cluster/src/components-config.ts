// The configuration files of the cluster's components, as text (one place; nothing else writes them).
import type { ClusterLayout } from './state.ts';
import type { ClusterNetwork } from './network.ts';
import { bridgeAddress } from './host-network.ts';
import type { Pki } from './pki.ts';
import { registryHostsDir } from './registry-hosts.ts';
import { CLUSTER_DOMAIN } from './pki.ts';

export const PAUSE_IMAGE = 'localhost/hat/pause:1';
export const ETCD_CLIENT_PORT = 23790;
export const API_PORT = 6443;

/** containerd with CRI: its own root, state and socket; the pause image built here; no OOM score changes (CAP_SYS_RESOURCE is missing on these machines). */
export const containerdConfig = (l: ClusterLayout): string => `version = 2
root = "${l.containerd}/root"
state = "${l.containerd}/state"
[grpc]
  address = "${l.containerdSocket}"
[ttrpc]
  address = "${l.containerdSocket}.ttrpc"
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${l.cni}"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${registryHostsDir(l)}"
`;

/**
 * One bridge for the pods, no masquerading, host-local addresses from the pod range. Pods get routes to the service
 * range and the node address only, via the bridge: no default route, so nothing of theirs leaves the machine.
 * The address leases live in the cluster's state dir, so `down` drops them with it: in the default
 * /var/lib/cni/networks they outlived every cluster whose pods were stopped without a CNI DEL, until the 254
 * addresses of the range were gone and no pod could start (FailedCreatePodSandBox: no IP addresses available).
 */
export const cniConfig = (l: ClusterLayout, net: ClusterNetwork): string =>
  `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'hat',
      plugins: [
        {
          type: 'bridge',
          bridge: net.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: `${l.dir}/cni-leases`,
            ranges: [[{ subnet: net.podCidr, gateway: bridgeAddress(net) }]],
            routes: [{ dst: net.serviceCidr }, { dst: `${net.nodeAddress}/32` }],
          },
        },
      ],
    },
    null,
    2,
  )}\n`;

/** The cluster DNS Service address: .10 of the service range. */
export const clusterDnsAddress = (net: ClusterNetwork): string => net.serviceCidr.replace(/\.\d+\/\d+$/, '.10');

/**
 * The kubelet. Image garbage collection is off (high threshold 100%): the node's images (pause, the add-ons, the
 * catalog's) are imported, not pulled, so an image it removed could never come back; on a disk over 85% full the
 * default removed the pause image and no new pod could start (FailedCreatePodSandBox). Eviction at 1% free stays.
 */
export const kubeletConfig = (l: ClusterLayout, net: ClusterNetwork, pki: Pki): string => `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
failSwapOn: false
address: ${net.nodeAddress}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  x509: { clientCAFile: ${pki.ca.cert} }
  webhook: { enabled: true }
  anonymous: { enabled: false }
authorization: { mode: Webhook }
clusterDomain: ${CLUSTER_DOMAIN}
clusterDNS: [${clusterDnsAddress(net)}]
resolvConf: ${l.dir}/pod-resolv.conf
tlsCertFile: ${pki.kubeletServing.cert}
tlsPrivateKeyFile: ${pki.kubeletServing.key}
containerRuntimeEndpoint: unix://${l.containerdSocket}
imageServiceEndpoint: unix://${l.containerdSocket}
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%" }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
`;
