import type { TaskDefinition } from './define-task.ts';
import { paramInfos } from './param-info.ts';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join(
    '\n',
  );

/** The generated reference part of a task README: params, results, workspaces and mounted objects. */
export function renderReference(tasks: readonly TaskDefinition[]): string {
  const [task] = tasks;
  if (!task) throw new Error('renderReference needs at least one task');
  const parts = [
    '### Params',
    '',
    table(
      ['name', 'default', 'description'],
      paramInfos(task).map((p) => [`\`${p.name}\``, p.default === undefined ? '(required)' : `\`${JSON.stringify(p.default)}\``, p.description]),
    ),
    '',
    '### Results',
    '',
    table(['name', 'description'], Object.entries(task.results).map(([name, r]) => [`\`${name}\``, r.description])),
  ];
  if (task.workspaces.length > 0) {
    parts.push(
      '',
      '### Workspaces',
      '',
      table(
        ['name', 'optional', 'description'],
        task.workspaces.map((w) => [`\`${w.name}\``, w.optional ? 'yes' : 'no', w.description]),
      ),
    );
  }
  const mounts = tasks.flatMap((t) => t.mounts.map((m) => [`\`${t.name}\``, `${m.kind} \`${m.objectName}\``, m.optional ? 'yes' : 'no', m.description]));
  if (mounts.length > 0) {
    parts.push('', '### Secrets and ConfigMaps (owned by SREs, never params)', '', table(['task', 'object', 'optional', 'contents'], mounts));
  }
  return parts.join('\n');
}

export const REFERENCE_START = '<!-- generated:reference:start (hat generate) -->';
export const REFERENCE_END = '<!-- generated:reference:end -->';

/** Replaces the generated block of a README, keeping the hand-written rest. */
export function spliceReference(readme: string, reference: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`README lacks the markers ${REFERENCE_START} … ${REFERENCE_END}`);
  return `${readme.slice(0, start + REFERENCE_START.length)}\n${reference}\n${readme.slice(end)}`;
}
