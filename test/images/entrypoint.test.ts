// Every task image: its program starts in a real container (containerd + runc) and rejects bad input with exit 2
// and the same one-line error as on the host; the image runs as the Task's user with a read-only root.
import { describe, expect, it } from 'vitest';
import { injectImages } from './context.ts';
import { catalogTask, inContainer, onHost, tempDir } from './helpers.ts';

const ctx = injectImages();

/** Per Task: params the program must refuse (Tekton accepts them: they are strings), and the workspaces it needs. */
const BAD: Record<string, { params: Record<string, string>; workspaces?: string[]; error: RegExp }> = {
  'git-clone': { params: { url: 'https://someone:hunter2@example.com/app.git' }, workspaces: ['output'], error: /url/ },
  version: { params: { 'tag-prefix': 'v$(rm -rf /)' }, workspaces: ['source'], error: /tag-prefix/ },
  'build-image': { params: { image: 'registry.example.com/app:latest', tag: '1.0.0' }, workspaces: ['source'], error: /image/ },
  'helm-package-push': { params: { version: 'not-a-version', 'chart-repository': 'oci://registry.example.com/charts' }, workspaces: ['source'], error: /version/ },
  'deploy-test': { params: { app: 'Not_A_Label', version: '1.0.0' }, error: /app/ },
  'deploy-stage': { params: { app: 'web', version: '1.0' }, error: /version/ },
  'deploy-prod': { params: { app: 'web', version: '1.0.0+build.1' }, error: /version/ },
};

describe('task images in containerd', () => {
  it('one image per program, each pinned by digest in its Task', async () => {
    expect(ctx.images.map((i) => i.program).sort()).toEqual(['build-image', 'deploy', 'git-clone', 'helm-package-push', 'version']);
    for (const p of ctx.published) {
      const task = await catalogTask(ctx, p.task);
      const step = (task['spec'] as { steps: Array<{ image: string }> }).steps[0]!;
      expect(step.image).toBe(p.image);
      expect(step.image).toMatch(/^ghcr\.io\/hat-project\/hat\/[a-z-]+:1\.0\.0@sha256:[0-9a-f]{64}$/);
    }
  });

  it.each(Object.keys(BAD))('%s: a bad param exits 2 with the same one-line error in the container as on the host', async (task) => {
    const bad = BAD[task]!;
    const workspaces = Object.fromEntries(await Promise.all((bad.workspaces ?? []).map(async (w) => [w, await tempDir(`hat-ws-${w}-`, 'task')] as const)));
    const mounts = task.startsWith('deploy-') ? { [`configmap/hat-gitops-${task.slice(7)}`]: await tempDir('hat-cm-'), [`secret/hat-gitops-${task.slice(7)}`]: await tempDir('hat-secret-') } : {};
    const container = await inContainer(ctx, task, { params: bad.params, workspaces, mounts });
    const host = await onHost(ctx, task, { params: bad.params, workspaces, mounts });
    expect(container.exitCode, container.log).toBe(2);
    expect(container.errorLine).toMatch(bad.error);
    expect(container.errorLine).toBe(host.errorLine);
    expect(container.log).not.toContain('hunter2');
  });

  it('runs as the Task\'s user, with a read-only root file system and a writable /tmp', async () => {
    for (const image of ctx.images.filter((i) => i.program !== 'build-image')) {
      const lines: string[] = [];
      const tmp = await tempDir('hat-tmp-', 'anyone');
      const code = await ctx.runtime.run({
        name: `whoami-${image.program}`,
        image: image.image,
        command: ['node', '-e', "const fs=require('fs');fs.writeFileSync('/tmp/ok','');let ro='writable';try{fs.writeFileSync('/opt/x','')}catch(e){ro=e.code}console.log(process.getuid(),process.getgid(),ro,process.version)"],
        env: {},
        workingDir: undefined,
        mounts: [{ source: tmp, destination: '/tmp', readOnly: false }],
        securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' }, allowPrivilegeEscalation: false },
        onLine: (l) => lines.push(l),
      });
      expect(code, lines.join('\n')).toBe(0);
      expect(lines.at(-1)).toMatch(/^65532 65532 EROFS v24\.\d+\.\d+$/);
    }
  });

  it("every image's user is its Task's runAsUser (ctr runs the image's USER)", async () => {
    for (const p of ctx.published) {
      const task = (await catalogTask(ctx, p.task)) as { spec: { steps: Array<{ securityContext: { runAsUser: number } }> } };
      const lines: string[] = [];
      const tmp = await tempDir('hat-tmp-', 'anyone');
      const code = await ctx.runtime.run({ name: `uid-${p.task}`, image: p.image, command: ['node', '-e', 'console.log(process.getuid())'], env: {}, workingDir: undefined, mounts: [{ source: tmp, destination: '/tmp', readOnly: false }], securityContext: {}, onLine: (l) => lines.push(l) });
      expect(code, lines.join('\n')).toBe(0);
      expect(lines.at(-1), p.task).toBe(String(task.spec.steps[0]!.securityContext.runAsUser));
    }
  });
});
