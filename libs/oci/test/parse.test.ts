import { describe, expect, it } from 'vitest';
import { InputError, mask } from '@hat/task-runtime';
import { credentialFor, formatImageRef, parseChallenge, parseDockerConfig, parseImageRef } from '../src/index.ts';

describe('parseImageRef', () => {
  it.each([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx', tag: undefined, digest: undefined }],
    ['acme/app:1.2.3', { registry: 'docker.io', repository: 'acme/app', tag: '1.2.3', digest: undefined }],
    ['127.0.0.1:5000/team/app:v1', { registry: '127.0.0.1:5000', repository: 'team/app', tag: 'v1', digest: undefined }],
    ['localhost/app', { registry: 'localhost', repository: 'app', tag: undefined, digest: undefined }],
    [`ghcr.io/o/a:1@sha256:${'a'.repeat(64)}`, { registry: 'ghcr.io', repository: 'o/a', tag: '1', digest: `sha256:${'a'.repeat(64)}` }],
  ])('%s', (ref, want) => {
    expect(parseImageRef(ref)).toEqual(want);
  });

  it('round-trips through formatImageRef', () => {
    expect(formatImageRef(parseImageRef('127.0.0.1:5000/team/app:v1'))).toBe('127.0.0.1:5000/team/app:v1');
  });

  it.each(['Acme/App', 'ghcr.io/o/a:-bad', 'ghcr.io/o/a@sha256:12', 'ghcr.io/', 'a//b'])('rejects %s as bad input', (ref) => {
    expect(() => parseImageRef(ref)).toThrow(InputError);
  });
});

describe('parseChallenge', () => {
  it('reads bearer parameters, quoted and with commas in the scope', () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
    });
  });
  it('reads basic and ignores schemes a registry client cannot answer', () => {
    expect(parseChallenge('Basic realm="hat-registry"')?.scheme).toBe('basic');
    expect(parseChallenge('Negotiate')).toBeUndefined();
    expect(parseChallenge(undefined)).toBeUndefined();
  });
});

describe('docker config', () => {
  const password = 's3cret-Pa55word';
  const auth = Buffer.from(`robot:${password}`).toString('base64');

  it('finds the credential of a host whatever form its auths key takes, and masks every secret form', () => {
    const config = parseDockerConfig(
      JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth }, 'ghcr.io/acme': { username: 'u', password: 'tok-ghcr-123' }, 'quay.io': { identitytoken: 'id-token-xyz' } } }),
      'config.json',
    );
    expect(credentialFor(config, 'docker.io')).toEqual({ kind: 'basic', username: 'robot', password });
    expect(credentialFor(config, 'ghcr.io')).toEqual({ kind: 'basic', username: 'u', password: 'tok-ghcr-123' });
    expect(credentialFor(config, 'quay.io')).toEqual({ kind: 'identity-token', token: 'id-token-xyz' });
    expect(credentialFor(config, '127.0.0.1:5000')).toBeUndefined();
    expect(mask(`${password} ${auth} tok-ghcr-123 id-token-xyz`)).toBe('*** *** *** ***');
  });

  it('says what is wrong with a file that is not a docker config', () => {
    expect(() => parseDockerConfig('{"credHelpers":{}}', '/ws/config.json')).toThrow(/config.json has no "auths" object/);
    expect(() => parseDockerConfig('nope', '/ws/config.json')).toThrow(/is not JSON/);
    expect(() => parseDockerConfig(JSON.stringify({ auths: { x: { auth: Buffer.from('nocolon').toString('base64') } } }), 'c')).toThrow(/not base64 of "user:password"/);
  });
});
