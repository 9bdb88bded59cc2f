// The parts of the cluster builds that need no build: which proxy go may use, the wrapper module, the pins.
import { describe, expect, it } from 'vitest';
import { proxyOnly } from '../src/go-env.ts';
import { renderGoMod, renderToolsGo } from '../src/wrapper-module.ts';
import { COMPONENTS, COMPONENT_SPECS } from '../src/components.ts';
import * as versions from '../src/versions.ts';

describe('cluster builds', () => {
  it("use the machine's module proxies only, never a direct fetch, and refuse a GOPROXY without one", () => {
    expect(proxyOnly('https://proxy.example.org,direct')).toBe('https://proxy.example.org');
    expect(proxyOnly('https://a.example.org|https://b.example.org|direct')).toBe('https://a.example.org,https://b.example.org');
    expect(() => proxyOnly('direct')).toThrow(/names no module proxy/);
    expect(() => proxyOnly('off')).toThrow(/names no module proxy/);
  });

  it('write a wrapper module that requires the upstream module and carries its replaces', () => {
    const mod = renderGoMod({
      module: 'hat.local/cluster-build/x',
      goVersion: '1.24.0',
      require: [{ path: 'k8s.io/kubernetes', version: 'v1.35.4' }],
      replace: [{ from: 'k8s.io/api', to: 'k8s.io/api', version: 'v0.35.4' }],
      tools: [],
    });
    expect(mod).toContain('module hat.local/cluster-build/x\n\ngo 1.24.0\n\nrequire (\n\tk8s.io/kubernetes v1.35.4\n)\n');
    expect(mod).toContain('replace (\n\tk8s.io/api => k8s.io/api v0.35.4\n)\n');
    expect(renderToolsGo(['k8s.io/kubernetes/cmd/kubelet'])).toMatch(/^\/\/go:build tools\n[\s\S]*_ "k8s.io\/kubernetes\/cmd\/kubelet"/);
  });

  it('pin an exact version for every component', () => {
    expect([...COMPONENTS].sort()).toEqual(['argocd', 'coredns', 'etcd', 'kubernetes', 'tekton-pipelines', 'tekton-triggers']);
    for (const name of COMPONENTS) expect(COMPONENT_SPECS[name].version).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(versions.KUBERNETES_VERSION).toMatch(/^v1\.35\.\d+$/);
  });
});
