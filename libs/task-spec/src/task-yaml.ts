// A Task's YAML file, as `hat generate` writes it. A subpath of its own (@hat/task-spec/yaml), not in the index: the
// task programs import the index, and with it they would load the yaml package on every start.
import { stringify } from 'yaml';
import type { TaskDefinition } from './define-task.ts';
import { GENERATED_HEADER, renderTaskObject, type RenderOptions } from './render-task.ts';

export function renderTaskYaml(task: TaskDefinition, opts: RenderOptions): string {
  return GENERATED_HEADER + stringify(renderTaskObject(task, opts), { lineWidth: 0, aliasDuplicateObjects: false });
}
