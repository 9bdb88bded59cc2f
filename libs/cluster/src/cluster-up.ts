// `hat cluster up`: a single-node Kubernetes on this machine. The programs come from the per-user cache (built from
// the Go module proxy the first time), the addresses go on lo and the CNI bridge, and every component starts only
// after the network checks pass. Each wait is bounded and names what it waited for.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { createLogger, HatError, run, type Logger } from '@hat/task-runtime';
import { API_PORT, cniConfig, containerdConfig, ETCD_CLIENT_PORT, kubeletConfig } from './components-config.ts';
import { daemonPid, logTail, startDaemon } from './daemons.ts';
import { ensureClusterBinaries } from './ensure.ts';
import { COMPONENTS } from './components.ts';
import { ensureAddonImages, importAddonImages } from './addon-images.ts';
import { ADDONS, addonManifests } from './addon-manifests.ts';
import { installAddon } from './addons.ts';
import { setUpHostNetwork } from './host-network.ts';
import { assertNetworkSafe, DEFAULT_NETWORK, type ClusterNetwork } from './network.ts';
import { importPauseImage } from './pause-image.ts';
import { storageClassObject } from './provisioner.ts';
import { repoRoot } from '@hat/task-runner';
import { applyObjects, loadKubeconfig, waitForDeployment } from './apply.ts';
import { nodeReady, waitUntil } from './wait.ts';
import { clusterDnsObjects, importCorednsImage } from './cluster-dns.ts';
import { ensurePki, kubeconfig, NODE_NAME, type Pki } from './pki.ts';
import { clusterLayout, type ClusterLayout } from './state.ts';

export interface ClusterUpOptions {
  readonly log?: Logger;
  readonly network?: ClusterNetwork;
  readonly layout?: ClusterLayout;
  /** Bound of each readiness wait. */
  readonly timeoutMs?: number;
  /** Install Tekton Pipelines, Triggers and Argo CD (default true); false gives the bare cluster. */
  readonly addons?: boolean;
}

export interface ClusterUp {
  readonly kubeconfig: string;
  readonly server: string;
  readonly seconds: number;
}

/** GET /readyz with the admin certificate. */
function readyz(server: string, pki: Pki): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${server}/readyz`, { ca: readFileSync(pki.ca.cert), cert: readFileSync(pki.admin.cert), key: readFileSync(pki.admin.key), timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** A daemon that has exited gives its log's last lines. */
const exited = (layout: ClusterLayout, name: string) => async (): Promise<string | undefined> =>
  (await daemonPid(layout, name)) === undefined ? `${name} exited: ${(await logTail(layout, name, 3)).replace(/\n/g, ' | ')}` : undefined;

export async function clusterUp(opts: ClusterUpOptions = {}): Promise<ClusterUp> {
  const started = performance.now();
  const log = opts.log ?? createLogger({ prefix: 'cluster' });
  const net = opts.network ?? DEFAULT_NETWORK;
  const l = opts.layout ?? clusterLayout();
  const timeoutMs = opts.timeoutMs ?? 90_000;
  if (process.getuid?.() !== 0) throw new HatError('hat cluster up needs root (addresses, routes, containers)');

  const withAddons = opts.addons ?? true;
  // Everything is built (or found in the cache) before anything starts.
  const bins = await ensureClusterBinaries({ log, components: withAddons ? COMPONENTS : ['kubernetes', 'etcd', 'coredns'] });
  const k8s = bins.kubernetes!.binaries;
  const etcd = bins.etcd!.binaries['etcd']!;
  const addonImages = withAddons ? await log.time('add-on images (Tekton, Triggers, Argo CD)', () => ensureAddonImages(bins, log)) : undefined;

  await log.time('network: node address on lo, bridge, routes', () => setUpHostNetwork(net));
  await assertNetworkSafe(net, 'the cluster');
  const pki = await log.time('certificates', () => ensurePki(l.pki, net));
  const server = `https://${net.nodeAddress}:${API_PORT}`;
  await mkdir(l.kubeconfigs, { recursive: true });
  const kc = async (name: string, pair: { cert: string; key: string }): Promise<string> => {
    const file = path.join(l.kubeconfigs, `${name}.kubeconfig`);
    await writeFile(file, kubeconfig(server, pki.ca.cert, pair), { mode: 0o600 });
    return file;
  };
  await writeFile(l.adminKubeconfig, kubeconfig(server, pki.ca.cert, pki.admin), { mode: 0o600 });
  const cm = await kc('controller-manager', pki.controllerManager);
  const sched = await kc('scheduler', pki.scheduler);
  const kubelet = await kc('kubelet', pki.kubeletClient);
  const proxy = await kc('kube-proxy', pki.kubeProxy);

  // containerd (CRI) and the pause image.
  await mkdir(l.containerd, { recursive: true });
  await mkdir(l.cni, { recursive: true });
  await writeFile(path.join(l.containerd, 'config.toml'), containerdConfig(l));
  await writeFile(path.join(l.cni, '10-hat.conflist'), cniConfig(l, net));
  await writeFile(path.join(l.dir, 'pod-resolv.conf'), '');
  await assertNetworkSafe(net, 'containerd');
  await startDaemon(l, 'containerd', 'containerd', ['--config', path.join(l.containerd, 'config.toml')]);
  // Answering, not only its socket file (a crashed containerd leaves the file behind).
  await waitUntil('containerd', async () => existsSync(l.containerdSocket) && (await run('ctr', ['--address', l.containerdSocket, 'version'], { okExitCodes: [1] })).exitCode === 0, { timeoutMs, failIf: exited(l, 'containerd') });
  await log.time('pause image imported', () => importPauseImage(l.containerdSocket));
  const coredns = bins.coredns!.binaries['coredns']!;
  await log.time('CoreDNS image imported', () => importCorednsImage(l.containerdSocket, coredns));

  // etcd and the control plane.
  await assertNetworkSafe(net, 'etcd');
  await startDaemon(l, 'etcd', etcd, [
    '--name', 'hat', '--data-dir', l.etcd,
    '--listen-client-urls', `http://127.0.0.1:${ETCD_CLIENT_PORT}`, '--advertise-client-urls', `http://127.0.0.1:${ETCD_CLIENT_PORT}`,
    '--listen-peer-urls', `http://127.0.0.1:${ETCD_CLIENT_PORT + 10}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${ETCD_CLIENT_PORT + 10}`,
    '--initial-cluster', `hat=http://127.0.0.1:${ETCD_CLIENT_PORT + 10}`, '--listen-metrics-urls', '',
  ]);
  await assertNetworkSafe(net, 'kube-apiserver');
  await startDaemon(l, 'kube-apiserver', k8s['kube-apiserver']!, [
    `--etcd-servers=http://127.0.0.1:${ETCD_CLIENT_PORT}`, `--bind-address=${net.nodeAddress}`, `--advertise-address=${net.nodeAddress}`, `--secure-port=${API_PORT}`,
    `--service-cluster-ip-range=${net.serviceCidr}`, `--tls-cert-file=${pki.apiserver.cert}`, `--tls-private-key-file=${pki.apiserver.key}`, `--client-ca-file=${pki.ca.cert}`,
    `--service-account-key-file=${pki.serviceAccount.pub}`, `--service-account-signing-key-file=${pki.serviceAccount.key}`, '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--authorization-mode=Node,RBAC', `--kubelet-client-certificate=${pki.apiserverKubeletClient.cert}`, `--kubelet-client-key=${pki.apiserverKubeletClient.key}`,
    `--kubelet-certificate-authority=${pki.ca.cert}`, '--kubelet-preferred-address-types=InternalIP', '--allow-privileged=true', '--enable-admission-plugins=NodeRestriction',
    '--shutdown-delay-duration=0s',
  ]);
  const config = loadKubeconfig(l.adminKubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  // /readyz covers the RBAC bootstrap roles the controller manager and scheduler need at their start.
  await log.time('kube-apiserver ready', () => waitUntil(`kube-apiserver on ${server}`, () => readyz(server, pki), { timeoutMs, failIf: exited(l, 'kube-apiserver') }));
  await startDaemon(l, 'kube-controller-manager', k8s['kube-controller-manager']!, [
    `--kubeconfig=${cm}`, `--authentication-kubeconfig=${cm}`, `--authorization-kubeconfig=${cm}`, '--bind-address=127.0.0.1', '--secure-port=10257',
    `--service-account-private-key-file=${pki.serviceAccount.key}`, `--root-ca-file=${pki.ca.cert}`, `--cluster-signing-cert-file=${pki.ca.cert}`, `--cluster-signing-key-file=${pki.ca.key}`,
    '--use-service-account-credentials=true', `--service-cluster-ip-range=${net.serviceCidr}`, '--leader-elect=false',
  ]);
  await startDaemon(l, 'kube-scheduler', k8s['kube-scheduler']!, [`--kubeconfig=${sched}`, `--authentication-kubeconfig=${sched}`, `--authorization-kubeconfig=${sched}`, '--bind-address=127.0.0.1', '--secure-port=10259', '--leader-elect=false']);

  // The node.
  await mkdir(l.kubelet, { recursive: true });
  await writeFile(path.join(l.dir, 'kubelet.yaml'), kubeletConfig(l, net, pki));
  await assertNetworkSafe(net, 'kubelet');
  await startDaemon(l, 'kubelet', k8s['kubelet']!, [`--config=${path.join(l.dir, 'kubelet.yaml')}`, `--kubeconfig=${kubelet}`, `--root-dir=${l.kubelet}`, `--node-ip=${net.nodeAddress}`, `--hostname-override=${NODE_NAME}`]);
  await log.time(`node ${NODE_NAME} Ready`, () =>
    waitUntil(`node ${NODE_NAME}`, async () => nodeReady(await core.readNode({ name: NODE_NAME })), { timeoutMs, failIf: exited(l, 'kubelet') }),
  );
  // kube-proxy: Services (iptables mode), no sysctl changes of the host (no conntrack sizing, no localhost NodePorts).
  await assertNetworkSafe(net, 'kube-proxy');
  await startDaemon(l, 'kube-proxy', k8s['kube-proxy']!, [
    `--kubeconfig=${proxy}`, `--hostname-override=${NODE_NAME}`, `--cluster-cidr=${net.podCidr}`, '--proxy-mode=iptables',
    '--conntrack-max-per-core=0', '--iptables-localhost-nodeports=false', '--healthz-bind-address=127.0.0.1:10256', '--metrics-bind-address=127.0.0.1:10249',
  ]);
  // Pods can be created once the controller manager has made the default ServiceAccount.
  await log.time('service accounts', () =>
    waitUntil('the default ServiceAccount', async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })).metadata?.name === 'default', { timeoutMs, failIf: exited(l, 'kube-controller-manager') }),
  );
  // The default StorageClass and its provisioner (a process of this cluster, on the host).
  await applyObjects(config, [storageClassObject()]);
  await startDaemon(l, 'provisioner', process.execPath, [path.join(repoRoot, 'cli', 'bin', 'hat.mjs'), 'cluster', 'provisioner'], { HAT_CLUSTER_DIR: l.dir });
  // Cluster DNS.
  await applyObjects(config, clusterDnsObjects(net));
  await log.time('cluster DNS (CoreDNS) available', () => waitForDeployment(config, 'kube-system', 'coredns', timeoutMs));
  if (addonImages) {
    await log.time('add-on images imported', () => importAddonImages(l.containerdSocket, addonImages));
    // Each add-on in parallel (their webhooks start while the others apply); Triggers' CRDs do not need Pipelines'.
    const addonTimeout = Math.max(timeoutMs, 180_000);
    await Promise.all(ADDONS.map(async (name) => installAddon(config, name, await addonManifests(name, bins[name]!.dir, addonImages.refs), { log, timeoutMs: addonTimeout })));
  }
  return { kubeconfig: l.adminKubeconfig, server, seconds: Math.round((performance.now() - started) / 100) / 10 };
}
