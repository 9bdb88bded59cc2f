import type * as z from 'zod';
import { paramEnv, type TaskDefinition } from '@hat/task-spec';
import { InputError } from './errors.ts';

/** Describes what a failed check expected, in words a person understands. */
function expected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `expected a ${issue.expected}`;
    default:
      return issue.message.startsWith('expected') ? issue.message : `expected ${issue.message}`;
  }
}

const shown = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? '' : ` (got ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)})`;
};

/** Validates raw string params; every bad param is reported at once in one line. */
export function parseParams<P extends z.ZodObject>(task: TaskDefinition<P>, raw: Record<string, string | undefined>): z.output<P> {
  const result = task.params.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(params)';
    const input = name in raw ? raw[name] : undefined;
    return `param ${name}: ${expected(issue)}${issue.code === 'invalid_type' && input === undefined ? '' : shown(input)}`;
  });
  throw new InputError(`bad input: ${problems.join('; ')}`);
}

/** Reads each declared param from `PARAM_<NAME>`; an empty value counts as not given. */
export function readParamsFromEnv<P extends z.ZodObject>(task: TaskDefinition<P>, env: NodeJS.ProcessEnv): z.output<P> {
  const raw: Record<string, string | undefined> = {};
  for (const name of Object.keys(task.params.shape)) {
    const value = env[paramEnv(name)];
    raw[name] = value === '' ? undefined : value;
  }
  return parseParams(task, raw);
}
