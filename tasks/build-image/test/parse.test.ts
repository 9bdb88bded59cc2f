import { describe, expect, it } from 'vitest';
import { CommandError, InputError, TransientError } from '@hat/task-runtime';
import { budArgs } from '../src/buildah.ts';
import { buildahMessage, classifyBuild, classifyPush, RegistryRefusedError } from '../src/buildah-errors.ts';
import { parseBuildArgs, parseList } from '../src/lists.ts';

describe('list params', () => {
  it('splits comma lists and drops empty items', () => {
    expect(parseList(' latest, main ,,')).toEqual(['latest', 'main']);
  });

  it('reads build args per line when there are lines (commas stay in values), else per comma', () => {
    expect(parseBuildArgs('A=1\nB=x,y=z\n\n')).toEqual([['A', '1'], ['B', 'x,y=z']]);
    expect(parseBuildArgs('A=1, B=2')).toEqual([['A', '1'], ['B', '2']]);
    expect(parseBuildArgs(undefined)).toEqual([]);
    expect(() => parseBuildArgs('A=1,oops')).toThrow(InputError);
    expect(() => parseBuildArgs('1A=x')).toThrow(/expected KEY=VALUE items, got "1A"/);
  });
});

describe('buildah arguments', () => {
  it('asks for a reproducible OCI image from an isolated store', () => {
    const args = budArgs({ dir: '/tmp/s', authfile: '/ws/cfg/config.json', tlsVerify: false }, { contextDir: '/src', containerfile: '/src/Containerfile', shown: 'Containerfile', name: 'r/a:1', buildArgs: [['A', 'x y']], target: 'base' }, '/tmp/s/iid');
    expect(args.slice(0, 7)).toEqual(['--root', '/tmp/s/root', '--runroot', '/tmp/s/runroot', '--storage-driver', 'vfs', 'bud']);
    for (const flag of ['--timestamp 0', '--format oci', '--isolation chroot', '--authfile /ws/cfg/config.json', '--build-arg A=x y', '--target base']) {
      expect(args.join(' ')).toContain(flag);
    }
    expect(args).toContain('--identity-label=false');
    expect(args).toContain('--layers=false');
    expect(args).toContain('--tls-verify=false');
    expect(args.at(-1)).toBe('/src');
  });
});

describe('buildah errors (stderr as buildah 1.28 prints it)', () => {
  const failed = (stderr: string): CommandError => new CommandError('buildah exited 125', 'buildah', 125, stderr);

  it('keeps buildah\'s own message', () => {
    expect(buildahMessage('oops\nsubprocess exited with status 3\nError: building at STEP "RUN x": exit status 3')).toBe('building at STEP "RUN x": exit status 3');
  });

  it('classifies push failures', () => {
    const auth = 'Error: pushing image "x" to "docker://h/a:1": trying to reuse blob sha256:3d at destination: checking whether a blob sha256:3d exists in h/a: unauthorized: authentication required';
    expect(classifyPush(failed(auth), 'h/a:1', 'h')).toBeInstanceOf(RegistryRefusedError);
    const down = 'time="2026-11-24T08:07:07Z" level=warning msg="Failed, retrying in 2s ... (3/3)"\nError: pushing image "x": pinging container registry h: Get "http://h/v2/": dial tcp h: connect: connection refused';
    expect(classifyPush(failed(down), 'h/a:1', 'h')).toBeInstanceOf(TransientError);
    expect(classifyPush(failed('Error: pinging container registry h: Get "https://h/v2/": http: server gave HTTP response to HTTPS client'), 'h/a:1', 'h')).toBeInstanceOf(InputError);
  });

  it('classifies a refused base image pull apart from a failing step', () => {
    const pull = 'Error: creating build container: initializing source docker://h/base:1: reading manifest 1 in h/base: unauthorized: authentication required';
    expect(classifyBuild(failed(pull), 'Containerfile')).toBeInstanceOf(RegistryRefusedError);
    const step = classifyBuild(failed('building\nboom\nsubprocess exited with status 2\nError: building at STEP "RUN make": exit status 2'), 'Containerfile') as Error;
    expect(step.message).toBe('build of Containerfile failed: building at STEP "RUN make": exit status 2 (last output: building | boom)');
    // The step's stderr and buildah's own error come through different pipes: the step's line may arrive last.
    const late = classifyBuild(failed('subprocess exited with status 3\nError: building at STEP "RUN cc": exit status 3\nmissing header foo.h'), 'Containerfile') as Error;
    expect(late.message).toBe('build of Containerfile failed: building at STEP "RUN cc": exit status 3 (last output: missing header foo.h)');
  });
});
