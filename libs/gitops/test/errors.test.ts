// Errors name the file (and line), carry a code, and map to exit codes: broken env repo content is a
// failure (1), a bad version is bad input (2). Nothing is edited when a rule refuses.
import { describe, expect, it } from 'vitest';
import { applyDeploy, GitopsError, gitopsExitCode, GITOPS_ERROR_CODES, readAppState } from '../src/index.ts';
import type { AppFiles, GitopsErrorCode } from '../src/index.ts';

const P = { chartPath: 'apps/shop/Chart.yaml', valuesPath: 'apps/shop/values.yaml', lockPath: 'apps/shop/Chart.lock' };
const CHART = 'apiVersion: v2\nname: shop\nversion: 0.1.0\ndependencies:\n  - name: shop\n    version: 1.0.0\n    repository: oci://r/charts\n';
const VALUES = 'shop:\n  image:\n    tag: 1.0.0\n';

function failure(files: Partial<AppFiles>, version = '2.0.0'): GitopsError {
  try {
    applyDeploy({ chart: CHART, values: VALUES, ...files }, { ...P, version });
  } catch (err) {
    expect(err).toBeInstanceOf(GitopsError);
    const e = err as GitopsError;
    expect(e.message).not.toContain('\n');
    return e;
  }
  throw new Error('expected a GitopsError');
}

function expectError(files: Partial<AppFiles>, code: GitopsErrorCode, message: RegExp | string, version?: string): GitopsError {
  const e = failure(files, version);
  expect(e.code).toBe(code);
  if (typeof message === 'string') expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
  return e;
}

describe('malformed YAML names the file and the line', () => {
  it.each([
    ['bad indentation', 'shop:\n  image:\n    repository: x\n   tag: 1.0.0\n', 4],
    ['unclosed flow sequence', 'a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: [1, 2\n', 7],
    ['duplicate key', 'shop:\n  image:\n    tag: 1\n    tag: 2\n', 4],
    ['tab indentation', 'shop:\n\timage: {}\n', 2],
    ['unterminated quote', 'shop:\n  image:\n    tag: "1.0.0\n', 3],
    ['unknown anchor', 'a: 1\nshop:\n  image:\n    tag: *nope\n', 4],
  ])('%s', (_name, values, line) => {
    const e = expectError({ values }, 'MALFORMED_YAML', new RegExp(`^apps/shop/values\\.yaml:${line}: malformed YAML: `));
    expect(e.file).toBe('apps/shop/values.yaml');
    expect(e.line).toBe(line);
    expect(e.exitCode).toBe(1);
  });

  it('in Chart.yaml and Chart.lock too', () => {
    expectError({ chart: 'apiVersion: v2\ndependencies:\n  - name: [\n' }, 'MALFORMED_YAML', /^apps\/shop\/Chart\.yaml:\d+: malformed YAML/);
    expectError({ lock: 'dependencies:\n- name: shop\n  version: "1\n' }, 'MALFORMED_YAML', /^apps\/shop\/Chart\.lock:3: malformed YAML/);
  });

  it('readAppState reports the same', () => {
    expect(() => readAppState({ chart: CHART, values: 'a: [\n' }, P)).toThrow(/^apps\/shop\/values\.yaml:\d+: malformed YAML/);
  });
});

describe('Chart.yaml dependencies', () => {
  it('missing `dependencies`', () => {
    expectError({ chart: 'apiVersion: v2\nname: shop\nversion: 0.1.0\n' }, 'NO_DEPENDENCY', 'apps/shop/Chart.yaml: no `dependencies:`: the umbrella chart needs one dependency on the app chart');
  });
  it('empty list', () => {
    expectError({ chart: 'apiVersion: v2\nname: shop\ndependencies: []\n' }, 'NO_DEPENDENCY', /^apps\/shop\/Chart\.yaml:3: `dependencies:` is empty/);
  });
  it('empty file', () => {
    expectError({ chart: '' }, 'NO_DEPENDENCY', /^apps\/shop\/Chart\.yaml: no dependencies/);
  });
  it('several, none named after the app: names them', () => {
    const chart = 'dependencies:\n  - name: redis\n    version: 1.0.0\n    repository: oci://r\n  - name: web\n    alias: front\n    version: 1.0.0\n    repository: oci://r\n';
    expectError({ chart }, 'AMBIGUOUS_DEPENDENCY', 'apps/shop/Chart.yaml: 2 dependencies (redis, web (alias front)) and none is named "shop"; the app chart\'s dependency must be named after the app');
  });
  it('several with the same name as the app', () => {
    const chart = 'dependencies:\n  - {name: shop, alias: a, version: 1.0.0, repository: oci://r}\n  - {name: shop, alias: b, version: 1.0.0, repository: oci://r}\n';
    expectError({ chart }, 'AMBIGUOUS_DEPENDENCY', /several are named "shop"/);
  });
  it('several: the one named after the app wins, else the one aliased as the app', () => {
    const byName = 'dependencies:\n  - {name: redis, version: 7.0.0, repository: oci://r}\n  - {name: shop, version: 1.0.0, repository: oci://r}\n';
    expect(readAppState({ chart: byName, values: VALUES }, P).dependency.name).toBe('shop');
    const byAlias = 'dependencies:\n  - {name: redis, version: 7.0.0, repository: oci://r}\n  - {name: shop-chart, alias: shop, version: 1.0.0, repository: oci://r}\n';
    expect(readAppState({ chart: byAlias, values: VALUES }, P).dependency.name).toBe('shop-chart');
  });
  it('an entry that is not a mapping, or has no name', () => {
    expectError({ chart: 'dependencies:\n  - shop\n' }, 'INVALID_DEPENDENCY', 'apps/shop/Chart.yaml:2: dependencies[0] is not a mapping');
    expectError({ chart: 'dependencies:\n  - version: 1.0.0\n    repository: oci://r\n' }, 'INVALID_DEPENDENCY', 'apps/shop/Chart.yaml:2: dependencies[0] has no name');
    expectError({ chart: 'dependencies: {name: shop}\n' }, 'INVALID_DEPENDENCY', /`dependencies:` is not a list/);
  });
});

describe('aliases and merge keys are refused rather than editing an anchor\'s other uses', () => {
  it('tag holding an alias', () => {
    const values = 'common:\n  tag: &t 1.0.0\nshop:\n  image:\n    tag: *t\n';
    expectError({ values }, 'ALIAS_NOT_EDITABLE', 'apps/shop/values.yaml:5: shop.image.tag is an alias (*t); editing it would change every use of the anchor, so write the value instead');
  });
  it('image or the dependency key holding an alias', () => {
    expectError({ values: 'img: &img {tag: 1.0.0}\nshop:\n  image: *img\n' }, 'ALIAS_NOT_EDITABLE', /^apps\/shop\/values\.yaml:3: shop\.image is an alias \(\*img\)/);
    expectError({ values: 'base: &b\n  image: {tag: 1.0.0}\nshop: *b\n' }, 'ALIAS_NOT_EDITABLE', /^apps\/shop\/values\.yaml:3: shop is an alias/);
  });
  it('dependency version holding an alias', () => {
    const chart = 'x-version: &v 1.0.0\ndependencies:\n  - name: shop\n    version: *v\n    repository: oci://r\n';
    expectError({ chart }, 'ALIAS_NOT_EDITABLE', /^apps\/shop\/Chart\.yaml:4: dependencies\[0\]\.version is an alias \(\*v\)/);
  });
  it('a merge key where the tag would have to be added', () => {
    const values = 'defaults: &d\n  image: {repository: r, tag: 1.0.0}\nshop:\n  <<: *d\n  replicas: 2\n';
    expectError({ values }, 'ALIAS_NOT_EDITABLE', /^apps\/shop\/values\.yaml:4: shop has no image of its own but a merge key \(<<\)/);
    // reading follows the merge like Helm does
    expect(readAppState({ chart: CHART, values }, P).imageTag).toBe('1.0.0');
  });
  it('an anchored tag is edited in place: the anchor stays, aliases follow (documented choice)', () => {
    const values = 'shop:\n  image:\n    tag: &t 1.0.0\n  migrate:\n    tag: *t\n';
    const r = applyDeploy({ chart: CHART, values }, { ...P, version: '2.0.0' });
    expect(r.values).toBe('shop:\n  image:\n    tag: &t 2.0.0\n  migrate:\n    tag: *t\n');
  });
});

describe('other shapes that are refused', () => {
  it.each([
    ['image is a scalar', 'shop:\n  image: nginx:1.0\n', 'UNEXPECTED_SHAPE', 'apps/shop/values.yaml:2: shop.image is not a mapping, cannot set tag'],
    ['dependency key is a list', 'shop:\n  - a\n', 'UNEXPECTED_SHAPE', 'apps/shop/values.yaml:2: shop is not a mapping, cannot set image.tag'],
    ['tag is a mapping', 'shop:\n  image:\n    tag: {a: 1}\n', 'UNEXPECTED_SHAPE', 'apps/shop/values.yaml:3: shop.image.tag is a mapping, expected a scalar'],
    ['tag is a block scalar', 'shop:\n  image:\n    tag: |\n      1.0.0\n', 'UNEXPECTED_SHAPE', 'apps/shop/values.yaml:3: shop.image.tag is a block scalar (| or >), expected a one-line value'],
    ['tag carries a non-string tag', 'shop:\n  image:\n    tag: !!float 1.0\n', 'UNEXPECTED_SHAPE', /shop\.image\.tag carries the tag tag:yaml\.org,2002:float/],
    ['root is a list', '- a\n', 'UNEXPECTED_SHAPE', 'apps/shop/values.yaml:1: the first document is not a mapping'],
    ['key only in a later document', 'other: 1\n---\nshop:\n  image:\n    tag: 1.0.0\n', 'KEY_IN_LATER_DOCUMENT', 'apps/shop/values.yaml:3: shop: is in document 2, but Helm reads only the first document of a values file; move it there'],
  ] as const)('%s', (_n, values, code, message) => {
    expectError({ values }, code, message);
  });

  it('a Chart.lock that is already out of sync', () => {
    const lock = 'dependencies:\n- name: shop\n  repository: oci://r/charts\n  version: 1.0.0\ndigest: sha256:0000\ngenerated: "2025-01-01T00:00:00Z"\n';
    const e = expectError({ lock }, 'LOCK_OUT_OF_SYNC', /^apps\/shop\/Chart\.lock: Chart\.lock does not match Chart\.yaml \(digest sha256:0000, Helm expects sha256:[0-9a-f]{64}\); run `helm dependency update`/);
    expect(e.exitCode).toBe(1);
  });
});

describe('bad input', () => {
  it.each(['', 'latest', '1.2.3.4', '01.2.3', '1.2.3 ', 'v1.2.3+', '1.2.3-'])('refuses version %j with exit code 2', (version) => {
    const e = expectError({}, 'INVALID_VERSION', /^version ".*" is not a chart version Helm accepts/, version);
    expect(e.exitCode).toBe(2);
  });
  it('refuses an image tag that is not an OCI tag', () => {
    expect(() => applyDeploy({ chart: CHART, values: VALUES }, { ...P, version: '1.2.3', imageTag: '-bad' })).toThrow(/image tag "-bad" is not a valid OCI tag/);
  });
  it('maps a + in the version to _ in the default image tag, like Helm tags OCI charts', () => {
    const r = applyDeploy({ chart: CHART, values: VALUES }, { ...P, version: '1.2.3+build.7' });
    expect(readAppState(r, P)).toMatchObject({ dependency: { version: '1.2.3+build.7' }, imageTag: '1.2.3_build.7' });
  });
});

it('every error code has an exit code; only bad input is 2', () => {
  for (const code of GITOPS_ERROR_CODES) expect(gitopsExitCode(code)).toBe(code === 'INVALID_VERSION' ? 2 : 1);
});
