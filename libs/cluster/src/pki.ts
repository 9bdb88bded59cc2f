// The cluster's certificates, made with openssl (argument arrays): one CA, a serving certificate for the API
// server and the kubelet, client certificates per component, and the service-account signing key. EC P-256,
// private keys 0600. Made once per cluster dir; a second call finds them.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '@hat/task-runtime';
import { exists } from '@hat/image';
import { probesOf, type ClusterNetwork } from './network.ts';

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface Pki {
  readonly dir: string;
  readonly ca: KeyPair;
  readonly apiserver: KeyPair;
  /** The API server's client certificate towards kubelets. */
  readonly apiserverKubeletClient: KeyPair;
  readonly admin: KeyPair;
  readonly controllerManager: KeyPair;
  readonly scheduler: KeyPair;
  readonly kubeProxy: KeyPair;
  readonly kubeletClient: KeyPair;
  readonly kubeletServing: KeyPair;
  /** Service-account token signing key (private) and its public half. */
  readonly serviceAccount: { readonly key: string; readonly pub: string };
}

export const NODE_NAME = 'hat-node';
export const CLUSTER_DOMAIN = 'cluster.local';
const DAYS = '825';

interface LeafSpec {
  readonly name: string;
  readonly subject: string;
  readonly usage: 'serverAuth' | 'clientAuth';
  readonly altNames?: readonly string[];
}

/** The `kubernetes` Service's ClusterIP: the first host address of the service range. */
export const apiServiceAddress = (net: ClusterNetwork): string => probesOf(net.serviceCidr)[1]!;

const newKey = (file: string): Promise<unknown> => run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);

async function leaf(dir: string, ca: KeyPair, spec: LeafSpec): Promise<KeyPair> {
  const pair = { cert: path.join(dir, `${spec.name}.crt`), key: path.join(dir, `${spec.name}.key`) };
  if ((await exists(pair.cert)) && (await exists(pair.key))) return pair;
  const csr = path.join(dir, `${spec.name}.csr`);
  const ext = path.join(dir, `${spec.name}.ext`);
  await newKey(pair.key);
  await chmod(pair.key, 0o600);
  await run('openssl', ['req', '-new', '-key', pair.key, '-subj', spec.subject, '-out', csr]);
  const lines = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', `extendedKeyUsage=${spec.usage}`];
  if (spec.altNames?.length) lines.push(`subjectAltName=${spec.altNames.join(',')}`);
  await writeFile(ext, `${lines.join('\n')}\n`);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${Date.now().toString(16)}${Math.floor(Math.random() * 1e6).toString(16)}`, '-days', DAYS, '-extfile', ext, '-out', pair.cert]);
  return pair;
}

export async function ensurePki(dir: string, net: ClusterNetwork, nodeName = NODE_NAME): Promise<Pki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = { cert: path.join(dir, 'ca.crt'), key: path.join(dir, 'ca.key') };
  if (!((await exists(ca.cert)) && (await exists(ca.key)))) {
    await newKey(ca.key);
    await chmod(ca.key, 0o600);
    await run('openssl', ['req', '-x509', '-new', '-key', ca.key, '-subj', '/CN=hat-cluster-ca', '-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', ca.cert]);
  }
  const svc = `kubernetes.default.svc`;
  const apiserver = await leaf(dir, ca, {
    name: 'apiserver',
    subject: '/CN=kube-apiserver',
    usage: 'serverAuth',
    altNames: [`IP:${net.nodeAddress}`, `IP:${apiServiceAddress(net)}`, 'IP:127.0.0.1', 'DNS:kubernetes', 'DNS:kubernetes.default', `DNS:${svc}`, `DNS:${svc}.${CLUSTER_DOMAIN}`, 'DNS:localhost'],
  });
  const client = (name: string, subject: string): Promise<KeyPair> => leaf(dir, ca, { name, subject, usage: 'clientAuth' });
  const serviceAccount = { key: path.join(dir, 'service-account.key'), pub: path.join(dir, 'service-account.pub') };
  if (!(await exists(serviceAccount.pub))) {
    await newKey(serviceAccount.key);
    await chmod(serviceAccount.key, 0o600);
    await run('openssl', ['pkey', '-in', serviceAccount.key, '-pubout', '-out', serviceAccount.pub]);
  }
  return {
    dir,
    ca,
    apiserver,
    apiserverKubeletClient: await client('apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client'),
    admin: await client('admin', '/O=system:masters/CN=hat-admin'),
    controllerManager: await client('controller-manager', '/CN=system:kube-controller-manager'),
    scheduler: await client('scheduler', '/CN=system:kube-scheduler'),
    kubeProxy: await client('kube-proxy', '/CN=system:kube-proxy'),
    kubeletClient: await client('kubelet-client', `/O=system:nodes/CN=system:node:${nodeName}`),
    kubeletServing: await leaf(dir, ca, { name: 'kubelet-serving', subject: `/CN=${nodeName}`, usage: 'serverAuth', altNames: [`IP:${net.nodeAddress}`, `DNS:${nodeName}`] }),
    serviceAccount,
  };
}

/** A kubeconfig for one identity (certificate files by path), with the cluster and context named `hat`. */
export function kubeconfig(server: string, caCert: string, user: KeyPair): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: hat',
    '    cluster:',
    `      server: ${server}`,
    `      certificate-authority: ${caCert}`,
    'users:',
    '  - name: hat',
    '    user:',
    `      client-certificate: ${user.cert}`,
    `      client-key: ${user.key}`,
    'contexts:',
    '  - name: hat',
    '    context: { cluster: hat, user: hat }',
    'current-context: hat',
    '',
  ].join('\n');
}
