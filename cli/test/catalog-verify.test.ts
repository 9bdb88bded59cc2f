// hat catalog verify on the committed catalog and on tampered copies; kustomize over catalog/; the Argo CD files.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments, parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG_DIR, catalogTaskNames, publishedVersions, validateFiles, verifyCatalog } from '@hat/catalog';
import { allTasks } from '../src/task-registry.ts';
import { gitIn, gitRepoWithCatalog } from '../../libs/catalog/test/helpers.ts';

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('the committed catalog', () => {
  it('passes hat catalog verify', async () => {
    const result = await verifyCatalog(DEFAULT_CATALOG_DIR);
    expect(result.problems).toEqual([]);
    expect(result.versions).toBeGreaterThan(0);
  });

  it("names, in the newest version of every Task, a real image on HAT's base and no loopback or stand-in anywhere", async () => {
    for (const task of allTasks) {
      const newest = (await publishedVersions(DEFAULT_CATALOG_DIR, task.name)).at(-1)!;
      const dir = path.join(DEFAULT_CATALOG_DIR, 'tasks', task.name, newest);
      for (const file of await readdir(dir)) {
        const text = await readFile(path.join(dir, file), 'utf8');
        expect(text, `${task.name} ${newest} ${file}`).not.toMatch(/127\.\d+\.\d+\.\d+|localhost|\[::1\]|stand-in/);
      }
      const yaml = await readFile(path.join(dir, `${task.name}.yaml`), 'utf8');
      const repository = task.base === 'buildah' ? 'base-buildah' : 'base';
      expect(yaml).toMatch(new RegExp(`hat\\.dev/base-image: ghcr\\.io/hat-project/hat/${repository}@sha256:[0-9a-f]{64}\n`));
      expect(yaml).toMatch(new RegExp(`image: ghcr\\.io/hat-project/hat/${task.program}:${newest.replace(/\./g, '\\.')}@sha256:[0-9a-f]{64}\n`));
    }
  });

  it('kustomize build catalog/ renders every Task as <task>-v<major>, and all of it passes hat validate', async () => {
    const { stdout } = await execa('kustomize', ['build', DEFAULT_CATALOG_DIR]);
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; annotations: Record<string, string> } });
    const expected: string[] = [];
    for (const task of await catalogTaskNames(DEFAULT_CATALOG_DIR)) {
      for (const major of new Set((await publishedVersions(DEFAULT_CATALOG_DIR, task)).map((v) => v.split('.')[0]))) expected.push(`${task}-v${major}`);
    }
    expect(docs.map((d) => d.metadata.name).sort()).toEqual(expected.sort());
    expect(docs.every((d) => d.kind === 'Task' && d.metadata.annotations['argocd.argoproj.io/sync-wave'] === '-1')).toBe(true);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-kustomize-'));
    scratch.push(dir);
    await writeFile(path.join(dir, 'rendered.yaml'), stdout);
    expect(await validateFiles([path.join(dir, 'rendered.yaml')])).toMatchObject({ ok: true, problems: [] });
  });

  it('ships Argo CD manifests: a project limited to Tekton kinds (+ ConfigMaps/Secrets) in one namespace, annotation tracking', async () => {
    interface Manifest {
      kind: string;
      metadata: { name: string };
      data?: Record<string, string>;
      spec: {
        project?: string;
        source?: { path: string; repoURL: string };
        destination?: unknown;
        destinations?: unknown[];
        sourceRepos?: string[];
        clusterResourceWhitelist?: unknown[];
        namespaceResourceWhitelist?: unknown[];
      };
    }
    const read = async (f: string) => parse(await readFile(path.join(DEFAULT_CATALOG_DIR, 'argocd', f), 'utf8')) as Manifest;
    const project = await read('appproject.yaml');
    const app = await read('application.yaml');
    expect(project.kind).toBe('AppProject');
    expect(project.spec.clusterResourceWhitelist).toEqual([]);
    expect(project.spec.namespaceResourceWhitelist).toEqual([
      { group: 'tekton.dev', kind: 'Task' },
      { group: 'tekton.dev', kind: 'Pipeline' },
      { group: '', kind: 'ConfigMap' },
      { group: '', kind: 'Secret' },
    ]);
    expect(app.kind).toBe('Application');
    expect(app.spec.project).toBe(project.metadata.name);
    expect(app.spec.source?.path).toBe('catalog');
    expect(project.spec.sourceRepos).toEqual([app.spec.source?.repoURL]);
    expect(project.spec.destinations).toEqual([app.spec.destination]);
    expect((await read('argocd-cm-patch.yaml')).data).toEqual({ 'application.resourceTrackingMethod': 'annotation' });
  });

  it('has a template, with placeholders only, for every Secret and ConfigMap the deploy Tasks mount', async () => {
    const dir = path.join(DEFAULT_CATALOG_DIR, 'argocd', 'env-objects');
    const objects = new Map<string, Record<string, unknown>>();
    for (const f of await readdir(dir)) {
      for (const doc of parseAllDocuments(await readFile(path.join(dir, f), 'utf8'))) {
        const o = doc.toJS() as { kind: string; metadata: { name: string }; stringData?: Record<string, string> };
        objects.set(`${o.kind}/${o.metadata.name}`, o);
        if (o.kind === 'Secret') for (const value of Object.values(o.stringData ?? {})) if (!/^hat-deploy-/.test(value)) expect(value).toMatch(/^<.*>$/);
      }
    }
    const mounts = allTasks.filter((t) => t.program === 'deploy').flatMap((t) => t.mounts.map((m) => `${m.kind === 'secret' ? 'Secret' : 'ConfigMap'}/${m.objectName}`));
    expect(mounts.length).toBeGreaterThan(0);
    for (const m of mounts) expect(objects.has(m), m).toBe(true);
  });
});

describe('hat catalog verify on copies', () => {
  let repo: string;
  let catalog: string;
  let taskFile: string;
  const show = (file: string) => path.relative(repo, file);

  beforeAll(async () => {
    repo = await gitRepoWithCatalog(DEFAULT_CATALOG_DIR);
    scratch.push(repo);
    catalog = path.join(repo, 'catalog');
    const [task] = await catalogTaskNames(catalog);
    const [version] = await publishedVersions(catalog, task!);
    taskFile = path.join(catalog, 'tasks', task!, version!, `${task}.yaml`);
  });

  it('passes in a git repository where the catalog is committed as published', async () => {
    const result = await verifyCatalog(catalog, { display: show });
    expect(result).toMatchObject({ ok: true, gitChecked: true, problems: [] });
  });

  it('fails, naming the file, when a published Task YAML is edited, even when the edit is committed', async () => {
    const original = await readFile(taskFile, 'utf8');
    await writeFile(taskFile, original.replace('tekton.dev/tags: ', 'tekton.dev/tags: tampered, '));
    try {
      const dirty = await verifyCatalog(catalog, { display: show });
      expect(dirty.ok).toBe(false);
      expect(dirty.problems).toEqual([expect.stringMatching(new RegExp(`^${show(taskFile).replace(/\./g, '\\.')}: differs from what commit [0-9a-f]{12} published; published versions are immutable`))]);
      await gitIn(repo)('commit', '-q', '-am', 'edit a published version');
      const committed = await verifyCatalog(catalog, { display: show });
      expect(committed.problems).toEqual(dirty.problems);
    } finally {
      await writeFile(taskFile, original);
      await gitIn(repo)('commit', '-q', '--allow-empty', '-am', 'restore');
    }
    expect((await verifyCatalog(catalog, { display: show })).ok).toBe(true);
  });

  it('accepts an uncommitted new file, and fails when a published file is removed', async () => {
    const notes = path.join(path.dirname(taskFile), 'NOTES.md');
    await writeFile(notes, 'not yet committed\n');
    expect((await verifyCatalog(catalog, { display: show })).problems).toEqual([]);
    await rm(notes);
    const readme = path.join(path.dirname(taskFile), 'README.md');
    const text = await readFile(readme);
    await gitIn(repo)('rm', '-q', path.relative(repo, readme));
    await gitIn(repo)('commit', '-q', '-m', 'remove a published README');
    try {
      const result = await verifyCatalog(catalog, { display: show });
      expect(result.problems).toContainEqual(`${show(readme)}: missing: every version has a README`);
      expect(result.problems).toContainEqual(expect.stringMatching(new RegExp(`^${show(readme).replace(/\./g, '\\.')}: published in commit [0-9a-f]{12} and since removed`)));
    } finally {
      await writeFile(readme, text);
      await gitIn(repo)('add', path.relative(repo, readme));
      await gitIn(repo)('commit', '-q', '-m', 'restore the README as published');
    }
    expect((await verifyCatalog(catalog, { display: show })).problems).toEqual([]);
  });

  it('refuses to vouch for immutability in a shallow clone (CI must fetch the history)', async () => {
    const shallow = await mkdtemp(path.join(os.tmpdir(), 'hat-catalog-shallow-'));
    scratch.push(shallow);
    await gitIn(repo)('commit', '-q', '--allow-empty', '-m', 'a second commit');
    await execa('git', ['clone', '-q', '--depth', '1', `file://${repo}`, shallow]);
    const result = await verifyCatalog(path.join(shallow, 'catalog'), { display: (f) => path.relative(shallow, f) });
    expect(result.problems).toEqual([expect.stringMatching(/^catalog\/tasks: the git clone is shallow/)]);
  });

  it('reports each layout, annotation, pinning and index problem on its file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hat-catalog-broken-'));
    scratch.push(dir);
    const copy = path.join(dir, 'catalog');
    await cp(DEFAULT_CATALOG_DIR, copy, { recursive: true });
    const [task] = await catalogTaskNames(copy);
    const [version] = await publishedVersions(copy, task!);
    const vdir = path.join(copy, 'tasks', task!, version!);
    const file = path.join(vdir, `${task}.yaml`);
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      text
        .replace(`name: ${task}\n`, `name: ${task}-renamed\n`)
        .replace(/tekton\.dev\/categories: .*/, 'tekton.dev/categories: Deployment, Magic')
        .replace(/^(\s+image: [^@\n]+)@sha256:[0-9a-f]{64}$/m, '$1'),
    );
    await rm(path.join(vdir, 'README.md'));
    await writeFile(path.join(copy, 'tasks', task!, 'latest'), 'x');
    await rm(path.join(copy, 'install'), { recursive: true });
    const result = await verifyCatalog(copy, { display: (f) => path.relative(dir, f) });
    const rel = path.relative(dir, file);
    expect(result.ok).toBe(false);
    expect(result.gitChecked).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        `${rel}: metadata.name is "${task}-renamed"; it must equal the folder name ${task}`,
        expect.stringMatching(new RegExp(`^${rel.replace(/\./g, '\\.')}: category "Magic" is not one of the Tekton Hub's`)),
        expect.stringMatching(new RegExp(`^${rel.replace(/\./g, '\\.')}: step image ".*" is not pinned as repo:tag@sha256:<digest>`)),
        `${path.relative(dir, path.join(vdir, 'README.md'))}: missing: every version has a README`,
        expect.stringMatching(/^catalog\/tasks\/[^/]+\/latest: unexpected/),
        expect.stringMatching(/^catalog\/install\/v1\/kustomization\.yaml: stale install index/),
        expect.stringMatching(/not pinned by digest|digest/),
      ]),
    );
  });
});
