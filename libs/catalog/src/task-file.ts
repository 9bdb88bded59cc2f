// The published Task file: the rendered definition, its pinned image, its version, and HAT's annotations.
import { parse, stringify } from 'yaml';
import { renderTaskObject, type TaskDefinition } from '@hat/task-spec';
import { HatError } from '@hat/task-runtime';
import { HAT_ANNOTATIONS } from './layout.ts';

export interface PublishedTaskInputs {
  readonly def: TaskDefinition;
  readonly version: string;
  /** `<repo>:<version>@sha256:…` */
  readonly image: string;
  readonly sourceDigest: string;
  readonly programDigest: string;
  readonly baseImage: string;
}

export const publishedHeader = (program: string): string =>
  `# Published by \`hat catalog publish\` from tasks/${program}/src/task.ts. Immutable: never edit; change the definition and publish a new version.\n`;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

export function publishedTaskObject(inputs: PublishedTaskInputs): Json {
  const task = renderTaskObject(inputs.def, { version: inputs.version, image: inputs.image });
  const metadata = obj(task['metadata']);
  metadata['annotations'] = {
    ...obj(metadata['annotations']),
    [HAT_ANNOTATIONS.sourceDigest]: inputs.sourceDigest,
    [HAT_ANNOTATIONS.programDigest]: inputs.programDigest,
    [HAT_ANNOTATIONS.baseImage]: inputs.baseImage,
  };
  return task;
}

export const toYaml = (value: unknown): string => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });

export function publishedTaskYaml(inputs: PublishedTaskInputs): string {
  return publishedHeader(inputs.def.program) + toYaml(publishedTaskObject(inputs));
}

/** The Task without what varies per publish (image, version label, HAT annotations): what "the same Task" means. */
export function normalizeTask(task: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(task)) as Json;
  const metadata = obj(copy['metadata']);
  const labels = obj(metadata['labels']);
  delete labels['app.kubernetes.io/version'];
  const annotations = obj(metadata['annotations']);
  for (const key of Object.keys(annotations)) if (key.startsWith('hat.dev/')) delete annotations[key];
  const steps = obj(copy['spec'])['steps'];
  if (Array.isArray(steps)) for (const step of steps) delete obj(step)['image'];
  return copy;
}

/** JSON with object keys sorted: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Json).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The rendered Task of a definition, as it would be published, without image and version. */
export const renderedForComparison = (def: TaskDefinition): unknown => normalizeTask(renderTaskObject(def, { version: '0.0.0', image: 'image' }));

export function parseTaskYaml(text: string, file: string): Json {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new HatError(`${file}: not YAML (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof doc !== 'object' || doc === null) throw new HatError(`${file}: not a Task object`);
  return doc as Json;
}

export interface TaskFacts {
  readonly name: string | undefined;
  readonly version: string | undefined;
  readonly annotations: Readonly<Record<string, string>>;
  readonly images: readonly string[];
}

/** The fields of a Task object that the catalog reads. */
export function taskFacts(task: unknown): TaskFacts {
  const metadata = obj(obj(task)['metadata']);
  const annotations = Object.fromEntries(Object.entries(obj(metadata['annotations'])).map(([k, v]) => [k, String(v)]));
  const version = obj(metadata['labels'])['app.kubernetes.io/version'];
  const steps = obj(obj(task)['spec'])['steps'];
  const images = Array.isArray(steps) ? steps.map((s) => String(obj(s)['image'] ?? '')) : [];
  return {
    name: typeof metadata['name'] === 'string' ? metadata['name'] : undefined,
    version: typeof version === 'string' ? version : undefined,
    annotations,
    images,
  };
}
