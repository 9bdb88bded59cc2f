// The kube context a command talks to: --kubeconfig FILE, else the usual ($KUBECONFIG, ~/.kube/config), else the
// cluster of `hat cluster up` on this machine; then --context NAME, which must exist.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '@hat/task-runtime';
import { clusterLayout } from './state.ts';

export interface KubeContextOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
}

export function kubeContext(opts: KubeContextOptions = {}): { config: KubeConfig; source: string } {
  const config = new KubeConfig();
  let source: string;
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new InputError(`--kubeconfig: ${opts.kubeconfig} does not exist`);
    config.loadFromFile(opts.kubeconfig);
    source = opts.kubeconfig;
  } else {
    const home = path.join(os.homedir(), '.kube', 'config');
    const local = clusterLayout().adminKubeconfig;
    if (process.env['KUBECONFIG'] || existsSync(home) || process.env['KUBERNETES_SERVICE_HOST']) {
      config.loadFromDefault();
      source = process.env['KUBECONFIG'] || (existsSync(home) ? home : 'the in-cluster service account');
    } else if (existsSync(local)) {
      config.loadFromFile(local);
      source = local;
    } else {
      throw new InputError('no Kubernetes context: set KUBECONFIG, pass --kubeconfig FILE, or start a cluster with hat cluster up');
    }
  }
  if (opts.context) {
    const names = config.getContexts().map((c) => c.name);
    if (!names.includes(opts.context)) throw new InputError(`--context: no context ${JSON.stringify(opts.context)} in ${source} (it has ${names.length ? names.join(', ') : 'none'})`);
    config.setCurrentContext(opts.context);
  }
  if (!config.getCurrentCluster()) throw new InputError(`no current Kubernetes context in ${source}: pass --context NAME`);
  return { config, source };
}
