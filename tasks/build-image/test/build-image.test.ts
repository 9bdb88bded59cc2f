import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from '@hat/oci';
import { getManifest, getManifestDigest, startRegistry, type Registry } from '../../../test/stack/index.ts';
import { APP_CONTAINERFILE, build, BUSYBOX, dockerconfigWorkspace, sourceWorkspace } from './helpers.ts';

describe('build-image with real buildah and a real registry (htpasswd auth)', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  const auth = () => dockerconfigWorkspace(registry, registry.password);
  const client = () => createRegistryClient({ registry: registry.host, credential: { kind: 'basic', username: registry.username, password: registry.password }, tlsVerify: false });
  const blob = async (repository: string, digest: string): Promise<Buffer> =>
    Buffer.from(
      await (await fetch(`${registry.url}/v2/${repository}/blobs/${digest}`, { headers: { authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}` } })).arrayBuffer(),
    );
  /** Tags of a repository; [] when nothing was ever pushed to it. */
  const tagsOf = async (repository: string): Promise<string[]> => {
    const res = await fetch(`${registry.url}/v2/${repository}/tags/list`, { headers: { authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}` } });
    return res.status === 404 ? [] : (((await res.json()) as { tags: string[] | null }).tags ?? []);
  };

  it('builds, pushes with auth and reports the digest the registry serves, for every tag; the same source gives the same digest', async () => {
    const source = await sourceWorkspace({ Containerfile: APP_CONTAINERFILE, busybox: BUSYBOX });
    const params = { image: `${registry.host}/team/app`, tag: '1.0.0', 'extra-tags': 'latest, main', 'tls-verify': 'false' };
    const first = await build(params, { source, dockerconfig: await auth() });
    expect(first.errorLine).toBeUndefined();
    expect(first.exitCode).toBe(0);
    const digest = first.results['IMAGE_DIGEST'] ?? '';
    expect(first.results['IMAGE_URL']).toBe(`${registry.host}/team/app:1.0.0`);
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    // Read back independently of the task (test/stack's reader) and through libs/oci.
    expect(await getManifestDigest(registry, 'team/app', '1.0.0')).toBe(digest);
    for (const tag of ['latest', 'main']) expect(await client().manifestDigest('team/app', tag)).toBe(digest);
    const manifest = await getManifest(registry, 'team/app', digest);
    expect(manifest?.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const config = JSON.parse((await blob('team/app', (JSON.parse(manifest?.body ?? '{}') as { config: { digest: string } }).config.digest)).toString()) as {
      created: string;
      history: Array<{ created: string }>;
      config: { Labels?: Record<string, string> };
    };
    expect(config.created).toBe('1970-01-01T00:00:00Z');
    expect(config.history.every((h) => h.created === '1970-01-01T00:00:00Z')).toBe(true);
    expect(config.config.Labels?.['io.buildah.version']).toBeUndefined();
    expect(first.log).not.toContain(registry.password);

    // A fresh copy of the same source (new mtimes), a fresh store, another tag: the same bytes.
    const again = await build({ ...params, tag: '1.0.1', 'extra-tags': '' }, { source: await sourceWorkspace({ Containerfile: APP_CONTAINERFILE, busybox: BUSYBOX }), dockerconfig: await auth() });
    expect(again.exitCode).toBe(0);
    expect(again.results['IMAGE_DIGEST']).toBe(digest);
    expect(await getManifestDigest(registry, 'team/app', '1.0.1')).toBe(digest);
  });

  it('passes build args (one per line, commas in values) and builds the target stage', async () => {
    const source = await sourceWorkspace({
      'app/busybox': BUSYBOX,
      'docker/Containerfile.multi': [
        'FROM scratch AS base',
        'COPY busybox /bin/busybox',
        'ARG GREETING=none',
        'RUN ["/bin/busybox", "sh", "-c", "echo \\"$GREETING\\" > /greeting"]',
        'FROM base AS broken',
        'RUN ["/bin/busybox", "false"]',
        '',
      ].join('\n'),
    });
    const run = await build(
      { image: `${registry.host}/team/args`, tag: '2.0.0', context: 'app', dockerfile: '../docker/Containerfile.multi', target: 'base', 'build-args': 'GREETING=hello, world\n', 'tls-verify': 'false' },
      { source, dockerconfig: await auth() },
    );
    expect(run.errorLine).toBeUndefined();
    expect(run.log).toContain('building docker/Containerfile.multi (stage base) with build args GREETING');
    // buildah's own output reaches the log as it builds, indented under the task's line
    expect(run.log).toMatch(/^ {2}STEP 1\/\d+: FROM scratch AS base$/m);
    expect(run.log).toMatch(/^ {2}STEP \d+\/\d+: RUN \["\/bin\/busybox", "sh"/m);
    const manifest = JSON.parse((await getManifest(registry, 'team/args', '2.0.0'))?.body ?? '{}') as { layers: Array<{ digest: string }> };
    const layer = await blob('team/args', manifest.layers.at(-1)?.digest ?? '');
    const greeting = await execa('tar', ['-xzOf', '-', 'greeting'], { input: layer, encoding: 'utf8' });
    expect(greeting.stdout).toBe('hello, world');
  });

  it('reports a failing RUN step with buildah\'s message and the step\'s last output, and pushes nothing', async () => {
    const source = await sourceWorkspace({
      Dockerfile: ['FROM scratch', 'COPY busybox /bin/busybox', 'RUN ["/bin/busybox", "sh", "-c", "echo compiling; echo missing header foo.h >&2; exit 3"]', ''].join('\n'),
      busybox: BUSYBOX,
    });
    const run = await build({ image: `${registry.host}/team/broken`, tag: '1.0.0', 'tls-verify': 'false' }, { source, dockerconfig: await auth() });
    expect(run.exitCode).toBe(1);
    expect(run.errorLine).toBe(
      'error: build of Dockerfile failed: building at STEP "RUN /bin/busybox sh -c echo compiling; echo missing header foo.h >&2; exit 3": exit status 3 (last output: missing header foo.h)',
    );
    expect(await tagsOf('team/broken')).toEqual([]);
  });

  it.each([
    ['a missing Dockerfile', { dockerfile: 'build/Dockerfile' }, 'error: dockerfile "build/Dockerfile" not found in context "." of the source workspace'],
    ['no Containerfile at all', { context: 'src' }, 'error: no Containerfile or Dockerfile in context "src" of the source workspace (set the dockerfile param)'],
    ['a missing context', { context: 'nope' }, 'error: context "nope" is not a folder in the source workspace'],
    ['a context outside the workspace', { context: '../..' }, 'error: context "../.." is outside the source workspace'],
  ])('reports %s as bad input and pushes nothing', async (_what, extra, line) => {
    const source = await sourceWorkspace({ 'src/main.txt': 'x\n', 'Containerfile.other': APP_CONTAINERFILE });
    const run = await build({ image: `${registry.host}/team/missing`, tag: '1.0.0', 'tls-verify': 'false', ...extra }, { source, dockerconfig: await auth() });
    expect(run.exitCode).toBe(2);
    expect(run.errorLine).toBe(line);
    expect(await tagsOf('team/missing')).toEqual([]);
  });

  it('refuses wrong credentials before building, without printing them, and pushes nothing', async () => {
    const source = await sourceWorkspace({ Containerfile: APP_CONTAINERFILE, busybox: BUSYBOX });
    const wrong = await dockerconfigWorkspace(registry, 'wrong-Passw0rd-123');
    const run = await build({ image: `${registry.host}/team/denied`, tag: '1.0.0', 'tls-verify': 'false' }, { source, dockerconfig: wrong });
    expect(run.exitCode).toBe(1);
    expect(run.errorLine).toBe(`error: registry ${registry.host} refused user "hat" from dockerconfig/.dockerconfigjson (HTTP 401)`);
    expect(run.log).not.toContain('building');
    expect(run.log).not.toContain('wrong-Passw0rd-123');
    expect(run.log).not.toContain(Buffer.from('hat:wrong-Passw0rd-123').toString('base64'));
    const none = await build({ image: `${registry.host}/team/denied`, tag: '1.0.0', 'tls-verify': 'false' }, { source });
    expect(none.errorLine).toBe(`error: registry ${registry.host} requires a credential: the dockerconfig workspace is not bound`);
    expect(await tagsOf('team/denied')).toEqual([]);
  });

  it('gives up on a registry that is down after bounded retries, in one line', async () => {
    const source = await sourceWorkspace({ Containerfile: APP_CONTAINERFILE, busybox: BUSYBOX });
    const dockerconfig = await auth();
    await registry.pause();
    try {
      const run = await build({ image: `${registry.host}/team/down`, tag: '1.0.0', 'tls-verify': 'false' }, { source, dockerconfig });
      expect(run.exitCode).toBe(1);
      expect(run.errorLine).toMatch(new RegExp(`^error: cannot reach registry ${registry.host.replace(/\./g, '\\.')} after 3 attempts: .*ECONNREFUSED`));
      expect(run.log.match(/attempt \d\/3 failed/g)).toHaveLength(2);
    } finally {
      await registry.resume();
    }
    expect(await tagsOf('team/down')).toEqual([]);
  });

  it('with tls-verify left on, says the registry is plain HTTP', async () => {
    const source = await sourceWorkspace({ Containerfile: APP_CONTAINERFILE, busybox: BUSYBOX });
    const run = await build({ image: `${registry.host}/team/tls`, tag: '1.0.0' }, { source, dockerconfig: await auth() });
    expect(run.exitCode).toBe(2);
    expect(run.errorLine).toBe(`error: registry ${registry.host} serves plain HTTP, not https: set tls-verify to "false" to use it`);
  });

  it('rejects an image with a tag in it, and bad tags, as bad input', async () => {
    const source = await sourceWorkspace({ Containerfile: APP_CONTAINERFILE });
    const tagged = await build({ image: `${registry.host}/team/app:1.0`, tag: '1.0.0' }, { source });
    expect(tagged.exitCode).toBe(2);
    expect(tagged.errorLine).toContain('param image: expected the repository only');
    const badTag = await build({ image: `${registry.host}/team/app`, tag: '1.0.0+build', 'extra-tags': 'ok,-bad' }, { source });
    expect(badTag.exitCode).toBe(2);
    expect(badTag.errorLine).toMatch(/param tag: expected a valid image tag.*param extra-tags: expected comma-separated valid image tags/);
  });
});
