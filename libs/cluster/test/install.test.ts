// hat install's checks before it touches a cluster: the add-ons it needs, and the env objects built from files.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addonProblems, appliedChange, chartRegistryObjects, envFilesOf, envObjects, envSyncObjects, envSyncsOf, installObjects, versionAtLeast, type AddonStatus } from '../src/index.ts';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@hat/task-runtime';

const ready = (name: AddonStatus['name'], version: string | null): AddonStatus => ({ name, version, ready: version !== null, workloads: [{ name: 'deployment/x', ready: 1, want: 1 }] });

describe('addonProblems', () => {
  it('none when Tekton Pipelines, Triggers and Argo CD are there, supported and ready', () => {
    expect(addonProblems([ready('tekton-pipelines', 'v1.9.2'), ready('tekton-triggers', 'v0.35.0'), ready('argocd', 'v3.2.11')])).toEqual([]);
  });
  it('names each one that is missing, too old or not ready', () => {
    const status: AddonStatus[] = [
      ready('tekton-pipelines', 'v0.50.1'),
      { name: 'tekton-triggers', version: 'v0.35.0', ready: false, workloads: [{ name: 'deployment/tekton-triggers-webhook', ready: 0, want: 1 }] },
    ];
    expect(addonProblems(status)).toEqual([
      'Tekton Pipelines v0.50.1 is older than HAT supports (v0.59.0 or newer)',
      'Tekton Triggers v0.35.0 is not ready (deployment/tekton-triggers-webhook 0/1)',
      'Argo CD is missing (no StatefulSet argocd/argocd-application-controller)',
    ]);
  });
  it('compares versions numerically', () => {
    expect(versionAtLeast('v0.100.0', 'v0.59.0')).toBe(true);
    expect(versionAtLeast('v1.9.2', 'v1.10.0')).toBe(false);
    expect(versionAtLeast('devel', 'v0.59.0')).toBe(false);
  });
});

describe('env objects from files', () => {
  it('a KEY=VALUE ConfigMap and a folder Secret (basic auth), values base64 and without trailing newlines', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-env-'));
    await writeFile(path.join(dir, 'stage.env'), '# the stage repo\nurl=https://git.example.com/gitops/stage.git\nbranch=main\n');
    await mkdir(path.join(dir, 'secret'));
    await writeFile(path.join(dir, 'secret', 'username'), 'deploy\n');
    await writeFile(path.join(dir, 'secret', 'password'), 's3cret\n');
    const [env] = envFilesOf({ stage: path.join(dir, 'stage.env') }, { stage: path.join(dir, 'secret') });
    const [cm, secret] = await envObjects(env!, 'hat-ci');
    expect(cm).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'hat-gitops-stage', namespace: 'hat-ci' }, data: { url: 'https://git.example.com/gitops/stage.git', branch: 'main' } });
    expect(secret).toMatchObject({ kind: 'Secret', type: 'kubernetes.io/basic-auth', data: { username: Buffer.from('deploy').toString('base64'), password: Buffer.from('s3cret').toString('base64') } });
  });
  it('an ssh Secret needs a private key; bad keys, urls and names are refused naming the flag', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-env-'));
    await writeFile(path.join(dir, 'key'), 'ssh-privatekey=not a key\n');
    await writeFile(path.join(dir, 'url'), 'url=ftp://x\n');
    await writeFile(path.join(dir, 'line'), 'just words\n');
    await expect(envObjects({ env: 'prod', secret: path.join(dir, 'key') }, 'ns')).rejects.toThrow('--env-secret prod: ssh-privatekey is not a PEM/OpenSSH private key');
    await expect(envObjects({ env: 'prod', config: path.join(dir, 'url') }, 'ns')).rejects.toThrow(`--env-config prod: url must be the env repo's https://, http:// or ssh:// URL (got "ftp://x")`);
    await expect(envObjects({ env: 'prod', config: path.join(dir, 'line') }, 'ns')).rejects.toThrow(/--env-config prod: .*line line 1 is not KEY=VALUE/);
    await expect(envObjects({ env: 'prod', config: path.join(dir, 'absent') }, 'ns')).rejects.toThrow(/--env-config prod: .*absent does not exist/);
    expect(() => envFilesOf({}, { qa: 'x' })).toThrow('--env-secret takes ENV=PATH with ENV one of test, stage, prod (got "qa")');
  });
});

describe('installObjects', () => {
  it('namespaces the chart objects that are namespaced, and needs --catalog-repo for --catalog-credentials', async () => {
    const config = new KubeConfig();
    const log = createLogger({ prefix: 't' });
    const yaml = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: crb}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n';
    const objects = await installObjects({ config, log, namespace: 'hat-ci', pipelineYaml: yaml });
    expect(objects.map((o) => [o.kind, o.metadata?.namespace])).toEqual([['Namespace', undefined], ['ClusterRoleBinding', undefined], ['ServiceAccount', 'hat-ci']]);
    await expect(installObjects({ config, log, namespace: 'hat-ci', catalogCredentials: '/x' })).rejects.toThrow('--catalog-credentials needs --catalog-repo');
    await expect(installObjects({ config, log, namespace: 'hat-ci', deployControllers: ['test', 'qa'] })).rejects.toThrow('--deploy-controller takes one of test, stage, prod (got "qa")');
  });
});

describe('Argo CD following env repos, and its login to the chart registry', () => {
  const decoded = (o: unknown) => Object.fromEntries(Object.entries((o as { data: Record<string, string> }).data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  it('--env-sync: a repository Secret with the read credentials and an Application syncing the env repo argocd/ folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-env-sync-'));
    await writeFile(path.join(dir, 'test.sync'), 'url=http://10.213.0.1:8080/git/gitops/test.git\nusername=argocd-read\npassword=read-only-token\n');
    const [secret, app] = await envSyncObjects(envSyncsOf({ test: path.join(dir, 'test.sync') })[0]!, 'argocd');
    expect(secret).toMatchObject({ kind: 'Secret', metadata: { name: 'hat-env-test-repo', namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'repository', 'hat.dev/env': 'test' } } });
    expect(decoded(secret)).toEqual({ type: 'git', url: 'http://10.213.0.1:8080/git/gitops/test.git', username: 'argocd-read', password: 'read-only-token' });
    expect(app).toMatchObject({
      kind: 'Application',
      metadata: { name: 'hat-env-test', namespace: 'argocd' },
      spec: { source: { repoURL: 'http://10.213.0.1:8080/git/gitops/test.git', targetRevision: 'main', path: 'argocd' }, destination: { namespace: 'argocd' }, syncPolicy: { automated: { prune: true, selfHeal: true } } },
    });
    expect(JSON.stringify(app)).not.toContain('read-only-token');
    await writeFile(path.join(dir, 'bad.sync'), 'url=gitops/test\n');
    await expect(envSyncObjects({ env: 'prod', file: path.join(dir, 'bad.sync') }, 'argocd')).rejects.toThrow(/^--env-sync prod: url must be the env repo's https:\/\/, http:\/\/ or ssh:\/\/ URL as Argo CD reaches it \(got "gitops\/test"\)$/);
    expect(() => envSyncsOf({ qa: 'x' })).toThrow(/^--env-sync takes ENV=PATH with ENV one of test, stage, prod \(got "qa"\)$/);
  });
  it('--chart-registry-credentials: a Helm OCI repository Secret whose url is the dependency repository without oci://', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-chart-registry-'));
    await writeFile(path.join(dir, 'charts'), 'url=oci://10.213.0.1:5000/charts\nusername=reader\npassword=chart-pass\n');
    const [secret] = await chartRegistryObjects(path.join(dir, 'charts'), 'argocd');
    expect(decoded(secret)).toEqual({ type: 'helm', name: 'hat-chart-registry', url: '10.213.0.1:5000/charts', enableOCI: 'true', username: 'reader', password: 'chart-pass' });
    await writeFile(path.join(dir, 'http'), 'url=https://charts.example.com\nusername=a\npassword=b\n');
    await expect(chartRegistryObjects(path.join(dir, 'http'), 'argocd')).rejects.toThrow(/^--chart-registry-credentials: url must be the chart repository as oci:\/\/<registry>\/<path> \(got "https:\/\/charts\.example\.com"\)$/);
    await writeFile(path.join(dir, 'nouser'), 'url=oci://10.213.0.1:5000/charts\npassword=b\n');
    await expect(chartRegistryObjects(path.join(dir, 'nouser'), 'argocd')).rejects.toThrow(/needs username and password/);
  });
});

describe('appliedChange (hat install: "N of M objects changed")', () => {
  const obj = (rv: string, generation?: number, labels?: Record<string, string>) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', resourceVersion: rv, ...(generation !== undefined ? { generation } : {}), ...(labels ? { labels } : {}) } });
  it('a new object, a new generation or new labels are changes; a status written meanwhile (same generation) is not', () => {
    expect(appliedChange(undefined, obj('1', 1))).toBe(true);
    expect(appliedChange(obj('5', 1), obj('5', 1))).toBe(false);
    expect(appliedChange(obj('5', 1), obj('7', 1))).toBe(false);
    expect(appliedChange(obj('5', 1), obj('7', 2))).toBe(true);
    expect(appliedChange(obj('5', 1, { a: '1' }), obj('7', 1, { a: '2' }))).toBe(true);
    // No generation (a ConfigMap): the resourceVersion decides.
    expect(appliedChange(obj('5'), obj('7'))).toBe(true);
    expect(appliedChange(obj('5'), obj('5'))).toBe(false);
  });
});

describe('env objects take every key the deploy Task reads', () => {
  it('the optional signing, upstream and registry keys pass --env-config/--env-secret', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-env-keys-'));
    await writeFile(path.join(dir, 'prod.env'), 'url=http://git.example/prod.git\nrequire-upstream=stage\nupstream-url=http://git.example/stage.git\n');
    await writeFile(path.join(dir, 'prod.secret'), 'username=u\npassword=p\nsigning-key=k\nupstream-username=r\nupstream-password=rp\nregistry-username=ru\nregistry-password=rp2\n');
    const [files] = envFilesOf({ prod: path.join(dir, 'prod.env') }, { prod: path.join(dir, 'prod.secret') });
    const [cm, secret] = (await envObjects(files!, 'hat-ci')) as unknown as { stringData?: Record<string, string>; data?: Record<string, string> }[];
    expect(Object.keys(cm!.data ?? cm!.stringData ?? {}).sort()).toEqual(['require-upstream', 'upstream-url', 'url']);
    expect(Object.keys(secret!.stringData ?? secret!.data ?? {}).sort()).toEqual(['password', 'registry-password', 'registry-username', 'signing-key', 'upstream-password', 'upstream-username', 'username']);
  });
});
