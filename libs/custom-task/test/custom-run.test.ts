import { describe, expect, it } from 'vitest';
import { completion, isCancelled, isDone, isFor, paramsOf, type CustomRun } from '../src/index.ts';

const REF = { apiVersion: 'hat.dev/v1alpha1', kind: 'Deploy', name: 'deploy-test' };
const run = (spec: NonNullable<CustomRun['spec']>, status?: CustomRun['status']): CustomRun => ({ metadata: { name: 'r1', uid: 'u1' }, spec, ...(status ? { status } : {}) });

describe('CustomRun', () => {
  it('is ours only when apiVersion, kind and name all match', () => {
    expect(isFor(run({ customRef: REF }), REF)).toBe(true);
    expect(isFor(run({ customRef: { ...REF, name: 'deploy-prod' } }), REF)).toBe(false);
    expect(isFor(run({ customRef: { ...REF, apiVersion: 'other.dev/v1' } }), REF)).toBe(false);
    expect(isFor(run({}), REF)).toBe(false);
  });

  it('is done once its Succeeded condition is True or False, not while Unknown', () => {
    expect(isDone(run({ customRef: REF }))).toBe(false);
    expect(isDone(run({ customRef: REF }, { conditions: [{ type: 'Succeeded', status: 'Unknown' }] }))).toBe(false);
    expect(isDone(run({ customRef: REF }, { conditions: [{ type: 'Succeeded', status: 'False' }] }))).toBe(true);
    expect(isDone(run({ customRef: REF }, { conditions: [{ type: 'Succeeded', status: 'True' }] }))).toBe(true);
    expect(isCancelled(run({ customRef: REF, status: 'RunCancelled' }))).toBe(true);
  });

  it('takes string params and refuses an array or object by name', () => {
    expect(paramsOf(run({ params: [{ name: 'app', value: 'web' }, { name: 'version', value: '1.2.3' }] }))).toEqual({ app: 'web', version: '1.2.3' });
    expect((paramsOf(run({ params: [{ name: 'app', value: ['a', 'b'] }] })) as Error).message).toBe('param app: expected a string, got an array');
    expect((paramsOf(run({ params: [{ name: 'x', value: { a: 1 } }] })) as Error).message).toBe('param x: expected a string, got object');
  });

  it('completes with results and condition True, or with the error as a False condition\'s message and no results', () => {
    const now = new Date('2026-12-03T06:00:00.123Z');
    expect(completion(run({}), { results: { commit: 'abc', changed: 'true' } }, undefined, now)).toEqual({
      status: {
        conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded', message: 'done', lastTransitionTime: '2026-12-03T06:00:00Z' }],
        startTime: '2026-12-03T06:00:00Z',
        completionTime: '2026-12-03T06:00:00Z',
        results: [
          { name: 'commit', value: 'abc' },
          { name: 'changed', value: 'true' },
        ],
      },
    });
    const failed = completion(run({}, { startTime: '2026-12-03T05:59:00Z' }), { error: 'param app: no' }, 'CustomRunCancelled', now);
    expect(failed.status).toEqual({
      conditions: [{ type: 'Succeeded', status: 'False', reason: 'CustomRunCancelled', message: 'param app: no', lastTransitionTime: '2026-12-03T06:00:00Z' }],
      startTime: '2026-12-03T05:59:00Z',
      completionTime: '2026-12-03T06:00:00Z',
    });
  });
});
