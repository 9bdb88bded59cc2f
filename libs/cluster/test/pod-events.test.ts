import { describe, expect, it } from 'vitest';
import type { CoreV1Event } from '@kubernetes/client-node';
import { podWarnings } from '../src/pod-events.ts';

const event = (name: string, type: string, reason: string, message: string, at: string, count = 1, kind = 'Pod'): CoreV1Event => ({
  metadata: { name: `${name}.${reason}` },
  involvedObject: { kind, name },
  type,
  reason,
  message,
  lastTimestamp: new Date(at),
  count,
});

describe('podWarnings', () => {
  it('names the pods’ Warning events, newest first, with their counts, and leaves out Normal events and other kinds', () => {
    const line = podWarnings([
      event('run-pod', 'Normal', 'Scheduled', 'assigned', '2026-01-01T00:00:01Z'),
      event('run-pod', 'Warning', 'FailedCreatePodSandBox', 'failed to get sandbox image "localhost/hat/pause:1"\n', '2026-01-01T00:00:03Z', 7),
      event('run-pod', 'Warning', 'FailedMount', 'secret "x" not found', '2026-01-01T00:00:02Z'),
      event('run', 'Warning', 'Failed', 'a TaskRun event', '2026-01-01T00:00:04Z', 1, 'TaskRun'),
    ]);
    expect(line).toBe('pod run-pod: FailedCreatePodSandBox: failed to get sandbox image "localhost/hat/pause:1" (×7); pod run-pod: FailedMount: secret "x" not found');
  });

  it('keeps at most `limit` events and is empty without warnings', () => {
    const many = Array.from({ length: 4 }, (_, i) => event('p', 'Warning', `R${i}`, 'm', `2026-01-01T00:00:0${i}Z`));
    expect(podWarnings(many, 2)).toBe('pod p: R3: m; pod p: R2: m');
    expect(podWarnings([event('p', 'Normal', 'Pulled', 'ok', '2026-01-01T00:00:00Z')])).toBe('');
  });
});
