import type * as z from 'zod';
import type { TaskDefinition } from './define-task.ts';

/** What Tekton needs to know about one param, read off the zod schema. */
export interface ParamInfo {
  readonly name: string;
  readonly description: string;
  /** Tekton default (always a string); undefined means the param is required. */
  readonly default: string | undefined;
}

interface ZodInternals {
  readonly _zod: { readonly def: { readonly type: string; readonly defaultValue?: unknown; readonly innerType?: z.ZodType } };
  readonly description?: string;
}

const internals = (schema: z.ZodType): ZodInternals => schema as unknown as ZodInternals;

/** Tekton param strings for a default value: booleans and numbers as text, no default for optional params → "". */
function defaultText(schema: z.ZodType): string | undefined {
  const def = internals(schema)._zod.def;
  if (def.type === 'default') return String(def.defaultValue);
  if (def.type === 'optional') return '';
  return undefined;
}

export function paramInfos(task: TaskDefinition): ParamInfo[] {
  return Object.entries(task.params.shape).map(([name, schema]) => {
    const s = schema as z.ZodType;
    const description = internals(s).description;
    if (!description) throw new Error(`task ${task.name}: param ${name} has no .describe()`);
    return { name, description, default: defaultText(s) };
  });
}
