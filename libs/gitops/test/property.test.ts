// Property-based: random values.yaml / Chart.yaml shapes (comments, key order, quoting, indentation, line
// endings, markers, anchors) around the dependency block; a deploy changes only the target bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeploy, readAppState } from '../src/index.ts';
import type { AppFiles } from '../src/index.ts';
import { expectSameLineEndings, expectSingleSplice, scalarRange, withValue } from './helpers.ts';

type Style = 'plain' | 'single' | 'double';
interface Filler {
  key: string;
  value: { t: 'scalar'; text: string } | { t: 'map'; items: Filler[] } | { t: 'seq'; items: string[] };
  comment: string | undefined;
  before: 'none' | 'blank' | 'comment';
}
type Target =
  | { kind: 'missing' }
  | { kind: 'empty'; comment: string | undefined }
  | { kind: 'noImage'; fillers: Filler[] }
  | { kind: 'blockImage'; fillers: Filler[]; imageFillers: Filler[]; tag: Tag | undefined; tagAt: number }
  | { kind: 'flowImage'; fillers: Filler[]; repo: boolean; tag: Tag | undefined };
interface Tag {
  value: string;
  style: Style;
  anchor: boolean;
  comment: string | undefined;
}
interface Shape {
  eol: '\n' | '\r\n';
  step: number;
  start: 'none' | 'marker' | 'bom';
  end: 'newline' | 'none' | 'docEnd' | 'secondDoc';
  trailing: string;
  fillers: Filler[];
  targetAt: number;
  target: Target;
  anchors: boolean;
}

const APP = 'app';
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/).filter((k) => k !== APP && k !== 'image' && k !== 'tag');
const commentText = fc.option(fc.stringMatching(/^[ -~]{0,16}$/).map((s) => s.replaceAll('\\', '/')), { nil: undefined });
const scalarText = fc.oneof(
  fc.constantFrom('x', 'true', '1.10', '42', '~', "'single # not a comment'", '"double: \\"q\\""', '{a: 1, b: [x, y]}', '[1, 2]', '""', 'yes', '0x1F'),
  word,
);
const semver = fc
  .tuple(fc.nat(30), fc.nat(30), fc.nat(300), fc.option(fc.stringMatching(/^(rc|alpha|beta)\.(0|[1-9][0-9]?)$/), { nil: undefined }))
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre === undefined ? '' : `-${pre}`}`);
/** Versions Helm accepts but YAML reads as numbers in plain style. */
const numericLooking = fc.constantFrom('1.10', '2', '1.0', '10', '0.1', '1.2e3'.replace('e3', '0')).filter((v) => /^[0-9.]+$/.test(v) && !v.endsWith('.'));

const fillerOf = (nested: fc.Arbitrary<Filler[]> | undefined): fc.Arbitrary<Filler> =>
  fc.record({
    key: word,
    value: fc.oneof(
      { weight: 5, arbitrary: scalarText.map((text): Filler['value'] => ({ t: 'scalar', text })) },
      { weight: 1, arbitrary: fc.array(word, { minLength: 1, maxLength: 3 }).map((items): Filler['value'] => ({ t: 'seq', items })) },
      ...(nested === undefined ? [] : [{ weight: 1, arbitrary: nested.filter((a) => a.length > 0).map((items): Filler['value'] => ({ t: 'map', items })) }]),
    ),
    comment: commentText,
    before: fc.constantFrom<Filler['before']>('none', 'none', 'blank', 'comment'),
  });
const leafFillers = fc.uniqueArray(fillerOf(undefined), { maxLength: 2, selector: (f) => f.key });
const fillerArb: fc.Arbitrary<Filler> = fillerOf(leafFillers);
const fillers = (max: number): fc.Arbitrary<Filler[]> => fc.uniqueArray(fillerArb, { maxLength: max, selector: (f) => f.key });

const tagArb = (versions: fc.Arbitrary<string>): fc.Arbitrary<Tag> =>
  fc.record({ value: versions, style: fc.constantFrom<Style>('plain', 'single', 'double'), anchor: fc.boolean(), comment: commentText });

const targetArb = (versions: fc.Arbitrary<string>): fc.Arbitrary<Target> =>
  fc.oneof(
    fc.constant<Target>({ kind: 'missing' }),
    commentText.map<Target>((comment) => ({ kind: 'empty', comment })),
    fillers(3).map<Target>((f) => ({ kind: 'noImage', fillers: f })),
    fc.record({ fillers: fillers(3), imageFillers: fillers(3), tag: fc.option(tagArb(versions), { nil: undefined }), tagAt: fc.nat(3) }).map<Target>((r) => ({ kind: 'blockImage', ...r })),
    fc.record({ fillers: fillers(2), repo: fc.boolean(), tag: fc.option(tagArb(versions), { nil: undefined }) }).map<Target>((r) => ({ kind: 'flowImage', ...r })),
  );

const shapeArb = (versions: fc.Arbitrary<string>): fc.Arbitrary<Shape> =>
  fc.record({
    eol: fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
    step: fc.constantFrom(2, 3, 4),
    start: fc.constantFrom<Shape['start']>('none', 'marker', 'bom'),
    end: fc.constantFrom<Shape['end']>('newline', 'none', 'docEnd', 'secondDoc'),
    trailing: fc.constantFrom('', ' ', '   '),
    fillers: fillers(4),
    targetAt: fc.nat(4),
    target: targetArb(versions),
    anchors: fc.boolean(),
  });

function quote(v: string, style: Style): string {
  return style === 'single' ? `'${v}'` : style === 'double' ? `"${v}"` : v;
}

function renderFillers(items: Filler[], indent: number, s: Shape, out: string[]): void {
  const pad = ' '.repeat(indent);
  for (const f of items) {
    if (f.before === 'blank') out.push(s.trailing);
    if (f.before === 'comment') out.push(`${pad}# about ${f.key}`);
    const c = f.comment === undefined ? '' : ` # ${f.comment}`;
    if (f.value.t === 'scalar') out.push(`${pad}${f.key}: ${f.value.text}${c}${s.trailing}`);
    else if (f.value.t === 'seq') {
      out.push(`${pad}${f.key}:${c}`);
      for (const w of f.value.items) out.push(`${pad}${' '.repeat(s.step)}- ${w}`);
    } else {
      out.push(`${pad}${f.key}:${c}${s.trailing}`);
      renderFillers(f.value.items, indent + s.step, s, out);
    }
  }
}

function renderTag(t: Tag): string {
  return `tag: ${t.anchor ? '&t ' : ''}${quote(t.value, t.style)}${t.comment === undefined ? '' : ` # ${t.comment}`}`;
}

function renderValues(s: Shape): string {
  const out: string[] = [];
  if (s.start === 'marker') out.push('---');
  const target: string[] = [];
  const t = s.target;
  const st = ' '.repeat(s.step);
  if (t.kind === 'empty') target.push(`${APP}:${t.comment === undefined ? '' : ` # ${t.comment}`}`);
  if (t.kind === 'noImage' || t.kind === 'blockImage' || t.kind === 'flowImage') {
    target.push(`${APP}:`);
    const inner: string[] = [];
    renderFillers(t.fillers, s.step, s, inner);
    if (t.kind === 'noImage' && inner.length === 0) inner.push(`${st}replicas: 1`);
    if (t.kind === 'blockImage') {
      const img: string[] = [];
      t.imageFillers.forEach((f, i) => {
        if (t.tag !== undefined && i === t.tagAt) img.push(`${st}${st}${renderTag(t.tag)}`);
        renderFillers([f], 2 * s.step, s, img);
      });
      if (t.tag !== undefined && t.tagAt >= t.imageFillers.length) img.push(`${st}${st}${renderTag(t.tag)}`);
      if (img.length === 0) img.push(`${st}${st}repository: r/x`);
      inner.push(`${st}image:`, ...img);
    }
    if (t.kind === 'flowImage') {
      const parts = [...(t.repo ? ['repository: r/x'] : []), ...(t.tag === undefined ? [] : [`tag: ${quote(t.tag.value, t.tag.style)}`])];
      inner.push(`${st}image: {${parts.join(', ')}}`);
    }
    target.push(...inner);
  }
  const top: string[] = [];
  if (s.anchors) top.push('base: &base', `${st}k: 1 # anchored`, `${st}list: [a, b]`);
  const before = s.fillers.slice(0, s.targetAt);
  const after = s.fillers.slice(s.targetAt);
  renderFillers(before, 0, s, top);
  top.push(...target);
  renderFillers(after, 0, s, top);
  if (s.anchors) top.push('copy: *base', 'merged:', `${st}<<: *base`, `${st}z: 2`);
  if (t.kind === 'blockImage' && t.tag?.anchor === true) top.push('tagcopy: *t # follows the tag');
  out.push(...top);
  let text = out.join(s.eol);
  if (s.end === 'newline') text += s.eol;
  if (s.end === 'docEnd') text += `${s.eol}...${s.eol}`;
  if (s.end === 'secondDoc') text += `${s.eol}---${s.eol}other: 1${s.eol}${APP}x: 2${s.eol}`;
  return (s.start === 'bom' ? '\ufeff' : '') + text;
}

const chartArb = fc.record({
  eol: fc.constantFrom('\n', '\r\n'),
  indent: fc.constantFrom('', '  ', '    '),
  style: fc.constantFrom<Style>('plain', 'single', 'double'),
  comment: commentText,
  old: semver,
  order: fc.constantFrom('nvr', 'vnr', 'nrv'),
});
function renderChart(c: { eol: string; indent: string; style: Style; comment: string | undefined; old: string; order: string }): string {
  const fields: Record<string, string> = {
    n: `name: ${APP}`,
    v: `version: ${quote(c.old, c.style)}${c.comment === undefined ? '' : ` # ${c.comment}`}`,
    r: 'repository: oci://registry.example.com/charts',
  };
  const [first, ...rest] = c.order.split('').map((k) => fields[k] ?? '');
  const lines = ['apiVersion: v2', `name: ${APP}-env`, 'version: 0.1.0', 'dependencies:', `${c.indent}- ${first}`, ...rest.map((l) => `${c.indent}  ${l}`)];
  return lines.join(c.eol) + c.eol;
}

const PATHS = { app: APP, chartPath: `apps/${APP}/Chart.yaml`, valuesPath: `apps/${APP}/values.yaml` };
const TAG_PATH = [APP, 'image', 'tag'];
const deploy = (files: AppFiles, version: string) => applyDeploy(files, { ...PATHS, version });

function checkOnlyTarget(files: AppFiles, version: string): AppFiles {
  const r = deploy(files, version);
  // Chart.yaml: only the version scalar
  expectSingleSplice(files.chart, r.chart, scalarRange(files.chart, ['dependencies', 0, 'version']));
  expect(withValue(r.chart, undefined, '')).toEqual(withValue(files.chart, ['dependencies', 0, 'version'], version));
  // values.yaml: only the tag scalar, or an insertion
  expectSingleSplice(files.values, r.values, scalarRange(files.values, TAG_PATH));
  expectSameLineEndings(files.values, r.values);
  expect(withValue(r.values, undefined, '')).toEqual(withValue(files.values, TAG_PATH, version));
  const state = readAppState({ chart: r.chart, values: r.values }, PATHS);
  expect(state.dependency.version).toBe(version);
  expect(state.imageTag).toBe(version);
  return { chart: r.chart, values: r.values };
}

describe('property: deploys change only the target bytes', () => {
  it('renders parseable documents (generator sanity)', () => {
    fc.assert(
      fc.property(shapeArb(semver), chartArb, (shape, chart) => {
        const files = { chart: renderChart(chart), values: renderValues(shape) };
        expect(() => readAppState(files, PATHS)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('only the version and tag bytes change; everything else is byte-identical', () => {
    fc.assert(
      fc.property(shapeArb(fc.oneof(semver, numericLooking)), chartArb, fc.oneof(semver, numericLooking), (shape, chart, version) => {
        checkOnlyTarget({ chart: renderChart(chart), values: renderValues(shape) }, version);
      }),
      { numRuns: 400 },
    );
  });

  it('applying the same version twice is a no-op', () => {
    fc.assert(
      fc.property(shapeArb(fc.oneof(semver, numericLooking)), chartArb, fc.oneof(semver, numericLooking), (shape, chart, version) => {
        const once = deploy({ chart: renderChart(chart), values: renderValues(shape) }, version);
        const twice = deploy({ chart: once.chart, values: once.values }, version);
        expect(twice.changed).toBe(false);
        expect(twice.chart).toBe(once.chart);
        expect(twice.values).toBe(once.values);
      }),
      { numRuns: 300 },
    );
  });

  it('v1 then v2 gives the same bytes as v2 directly', () => {
    fc.assert(
      fc.property(shapeArb(fc.oneof(semver, numericLooking)), chartArb, semver, semver, (shape, chart, v1, v2) => {
        const files = { chart: renderChart(chart), values: renderValues(shape) };
        const direct = deploy(files, v2);
        const first = deploy(files, v1);
        const second = deploy({ chart: first.chart, values: first.values }, v2);
        expect(second.chart).toBe(direct.chart);
        expect(second.values).toBe(direct.values);
      }),
      { numRuns: 300 },
    );
  });

  it('v1 then v2 reads the same as v2 directly for numeric-looking versions (quoting may differ)', () => {
    fc.assert(
      fc.property(shapeArb(semver), chartArb, numericLooking, fc.oneof(semver, numericLooking), (shape, chart, v1, v2) => {
        const files = { chart: renderChart(chart), values: renderValues(shape) };
        const second = deploy(deploy(files, v1), v2);
        const direct = deploy(files, v2);
        expect(withValue(second.values, undefined, '')).toEqual(withValue(direct.values, undefined, ''));
        expect(readAppState(second, PATHS)).toEqual(readAppState(direct, PATHS));
      }),
      { numRuns: 200 },
    );
  });
});
