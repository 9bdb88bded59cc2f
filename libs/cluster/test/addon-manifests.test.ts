// The add-ons' release manifests made to run on the one-node cluster: only images, pull policy and version stamps
// change (and Argo CD's namespace, AppProject default and GPG switch are added).
import { dumpYaml } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { argocdManifests, argocdVersionOf, parseManifests, tektonManifests, typedObject } from '../src/index.ts';

const refs = {
  shell: 'localhost/hat/cluster-base:k',
  'tekton-pipelines-controller': 'localhost/hat/tekton-pipelines-controller:v1.9.2-k',
  'tekton-pipelines-entrypoint': 'localhost/hat/tekton-pipelines-entrypoint:v1.9.2-k',
  argocd: 'localhost/hat/argocd:v3.2.11-k',
  redis: 'localhost/hat/redis:k',
};

const controller = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: tekton-pipelines-controller
  namespace: tekton-pipelines
  labels: {app.kubernetes.io/version: "devel", pipeline.tekton.dev/release: "devel", app: devel}
spec:
  template:
    spec:
      containers:
      - name: c
        image: ko://github.com/tektoncd/pipeline/cmd/controller
        args: ["-entrypoint-image", "ko://github.com/tektoncd/pipeline/cmd/entrypoint", "-shell-image", "cgr.dev/chainguard/busybox@sha256:19f0", "-x", "devel"]
---
# a comment only
---
apiVersion: v1
kind: ConfigMap
metadata: {name: pipelines-info, namespace: tekton-pipelines}
data: {version: "devel"}
`;

describe('tektonManifests', () => {
  it('replaces ko:// references, the shell image and the devel version stamps, nothing else', () => {
    const [deployment, info] = tektonManifests(parseManifests(controller), 'pipeline', refs, 'v1.9.2');
    const c = (deployment as unknown as { spec: { template: { spec: { containers: { image: string; args: string[] }[] } } } }).spec.template.spec.containers[0]!;
    expect(c.image).toBe(refs['tekton-pipelines-controller']);
    expect(c.args).toEqual(['-entrypoint-image', refs['tekton-pipelines-entrypoint'], '-shell-image', refs.shell, '-x', 'devel']);
    expect(deployment!.metadata?.labels).toEqual({ 'app.kubernetes.io/version': 'v1.9.2', 'pipeline.tekton.dev/release': 'v1.9.2', app: 'devel' });
    expect((info as unknown as { data: Record<string, string> }).data).toEqual({ version: 'v1.9.2' });
  });

  it('refuses a ko:// reference with no image built for it', () => {
    expect(() => tektonManifests(parseManifests(controller.replace('cmd/entrypoint', 'cmd/unknown')), 'pipeline', refs, 'v1.9.2')).toThrow(/no image built for ko:\/\/github.com\/tektoncd\/pipeline\/cmd\/unknown/);
  });
});

describe('argocdManifests', () => {
  const core = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-repo-server}
spec:
  template:
    spec:
      containers:
      - name: argocd-repo-server
        image: quay.io/argoproj/argocd:v3.2.11
        imagePullPolicy: Always
        env: [{name: A, value: b}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-redis}
spec: {template: {spec: {containers: [{name: redis, image: public.ecr.aws/docker/library/redis:8.2.2-alpine, imagePullPolicy: Always}]}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: argocd-application-controller}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cm}
`;
  it('namespaces what is namespaced, uses the images built here, adds the default AppProject, turns GPG off and polls git every 10 s', () => {
    const out = argocdManifests(parseManifests(core), refs);
    expect(out.map((o) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`)).toEqual([
      'Namespace//argocd', 'Deployment/argocd/argocd-repo-server', 'Deployment/argocd/argocd-redis', 'ClusterRole//argocd-application-controller', 'ConfigMap/argocd/argocd-cm', 'AppProject/argocd/default',
    ]);
    expect(out[4]!['data']).toEqual({ 'timeout.reconciliation': '10s', 'timeout.reconciliation.jitter': '0s' });
    const containers = out.slice(1, 3).map((o) => (o as unknown as { spec: { template: { spec: { containers: { image: string; imagePullPolicy: string; env?: unknown }[] } } } }).spec.template.spec.containers[0]!);
    expect(containers.map((c) => [c.image, c.imagePullPolicy])).toEqual([[refs.argocd, 'IfNotPresent'], [refs.redis, 'IfNotPresent']]);
    expect(containers[0]!.env).toEqual([{ name: 'A', value: 'b' }, { name: 'ARGOCD_GPG_ENABLED', value: 'false' }]);
  });

  it('reads Argo CD’s version from an image tag, as upstream and HAT tag it', () => {
    expect(argocdVersionOf('quay.io/argoproj/argocd:v3.2.11')).toBe('v3.2.11');
    expect(argocdVersionOf(refs.argocd)).toBe('v3.2.11');
    expect(argocdVersionOf('quay.io/argoproj/argocd@sha256:abc')).toBeNull();
    expect(argocdVersionOf(undefined)).toBeNull();
  });
});

describe('typedObject', () => {
  it('keeps the x-kubernetes-* schema fields of a CRD that client-node would drop from a raw object', () => {
    const crd = parseManifests(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  group: example.com
  names: {kind: Thing, plural: things}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`)[0]!;
    // dumpYaml serializes as client-node sends a body.
    expect(dumpYaml(crd)).not.toContain('x-kubernetes-preserve-unknown-fields');
    expect(dumpYaml(typedObject(crd))).toContain('x-kubernetes-preserve-unknown-fields: true');
  });
});
