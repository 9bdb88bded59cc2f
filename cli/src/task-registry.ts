import type { TaskDefinition } from '@hat/task-spec';
import { InputError } from '@hat/task-runtime';
import { tasks as buildImageTasks } from '@hat/task-build-image';
import { tasks as deployTasks } from '@hat/task-deploy';
import { tasks as gitCloneTasks } from '@hat/task-git-clone';
import { tasks as helmPackagePushTasks } from '@hat/task-helm-package-push';
import { tasks as versionTasks } from '@hat/task-version';

/** Every Task HAT ships, grouped by the program (tasks/<program>/) that implements it. */
export const allTasks: readonly TaskDefinition[] = [...gitCloneTasks, ...versionTasks, ...buildImageTasks, ...helmPackagePushTasks, ...deployTasks];

export function findTask(name: string): TaskDefinition {
  const task = allTasks.find((t) => t.name === name);
  if (!task) throw new InputError(`unknown task ${JSON.stringify(name)}; known: ${allTasks.map((t) => t.name).join(', ')}`);
  return task;
}

export function programs(): Map<string, TaskDefinition[]> {
  const byProgram = new Map<string, TaskDefinition[]>();
  for (const t of allTasks) byProgram.set(t.program, [...(byProgram.get(t.program) ?? []), t]);
  return byProgram;
}
