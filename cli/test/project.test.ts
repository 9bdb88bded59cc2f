import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { IMAGE_ENTRYPOINT } from '@hat/task-spec';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@hat/task-runner';
import { staleFiles } from '../src/generate.ts';
import { programs } from '../src/task-registry.ts';
import { validateFiles } from '@hat/catalog';

const read = (rel: string) => readFile(path.join(repoRoot, rel), 'utf8');

describe('one source of truth', () => {
  it('committed generated files (Task YAML, README tables) match the task definitions', async () => {
    expect(await staleFiles(), 'run: npx hat generate').toEqual([]);
  });

  it("every generated Task passes Tekton's own validation (dev image placeholder allowed, nothing else)", async () => {
    const files = [...programs()].flatMap(([program, defs]) => defs.map((d) => path.join(repoRoot, `tasks/${program}/tekton/${d.name}.yaml`)));
    expect(files.length).toBeGreaterThanOrEqual(7);
    const { ok, problems } = await validateFiles(files, { allowImages: ['localhost/hat/[a-z0-9-]+:dev'] });
    expect(problems).toEqual([]);
    expect(ok).toBe(true);
  });

  it('every task README has the same sections', async () => {
    for (const program of programs().keys()) {
      const readme = await read(`tasks/${program}/README.md`);
      for (const section of ['## Reference', '### Params', '### Results', '## Example pipeline snippet', '## Failure modes']) {
        expect(readme, `tasks/${program}/README.md lacks ${section}`).toContain(section);
      }
    }
  });

  it("the README's test command is what .ci/run runs, and its quick start has exactly two commands", async () => {
    const readme = await read('README.md');
    const ci = await read('.ci/run');
    const quick = /## Quick start[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = quick.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatch(/npx hat demo$/);
    // .ci/run adds `|| exit 1`: set -e does not stop on a failure inside an && list but the last command.
    expect(ci.split('\n')).toContain(`${commands[1]} || exit 1`);
  });

  it('Dockerfile.base builds FROM the HAT root file system only (libs/image is the one recipe), running the task program', async () => {
    const dockerfile = await read('Dockerfile.base');
    const instructions = dockerfile.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' ')[0]);
    expect(instructions).toEqual(['FROM', 'ADD', 'ARG', 'ENV', 'USER', 'WORKDIR', 'ENTRYPOINT']);
    expect(dockerfile).toMatch(/^FROM scratch$/m);
    expect(dockerfile).toMatch(/^ADD rootfs\.tar \/$/m);
    expect(dockerfile).toContain(`"node", "${IMAGE_ENTRYPOINT}"`);
  });

  it('the helm on PATH is the pinned build', async () => {
    const pinned = /^HELM_VERSION=(\S+)$/m.exec(await read('scripts/versions.env'))?.[1];
    const { stdout } = await execa('helm', ['version', '--template', '{{.Version}}']);
    expect(stdout).toBe(pinned);
  });
});

describe('scripts/setup.sh progress', () => {
  it('prints a line at every interval while a long step runs, and when it is done; keeps its exit code', async () => {
    const script = `log() { printf 'setup: %s\\n' "$*"; }; source scripts/progress.sh; with_progress "building x" sleep 2.5; with_progress "failing" false || echo "rc=$?"`;
    const { stdout } = await execa('bash', ['-c', script], { cwd: repoRoot, env: { HAT_PROGRESS_SECONDS: '1' } });
    const lines = stdout.split('\n');
    expect(lines.filter((l) => /^setup: still building x \(\d+ s\)$/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => /^setup: done building x in [23] s$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('rc=1');
  });
});
