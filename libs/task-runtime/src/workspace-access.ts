// Whether a step can write a workspace. Steps run as a non-root user; a fresh volume (a PVC, a hostPath) belongs to
// root unless the pod's securityContext sets fsGroup. Without this check the first write fails deep inside a tool
// (`git init exited 1: .../.git: Permission denied`); with it, the message says what is wrong and how to fix it.
import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HatError } from './errors.ts';

const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

/** Throws a one-line HatError naming the workspace, the step's user, the folder's owner and the fix (fsGroup). */
export async function assertWritable(dir: string, workspace: string): Promise<void> {
  const probe = path.join(dir, `.hat-write-probe-${process.pid}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (!NOT_WRITABLE.has(code)) throw err;
    const s = await stat(dir).catch(() => undefined);
    const owner = code === 'EROFS' ? 'is mounted read-only' : s ? `belongs to uid ${s.uid} gid ${s.gid} with mode ${(s.mode & 0o777).toString(8)}` : 'cannot be read';
    throw new HatError(
      `workspace ${workspace} (${dir}) is not writable by this step's user (uid ${process.getuid?.()} gid ${process.getgid?.()}): the volume ${owner}. ` +
        "Set the PipelineRun's podTemplate securityContext fsGroup (e.g. fsGroup: 65532) so its volumes are group-writable; HAT's pipeline chart does (pipelineRun.fsGroup), hand-written PipelineRuns must too",
    );
  }
  await rm(probe, { force: true });
}
