// For test files when test/global-setup.ts runs the shared stack: `const stack = injectStack()`.
import { inject } from 'vitest';
import './provided-context.ts';
import { connectStack } from './stack.ts';
import type { ConnectedStack, StackInfo } from './stack.ts';

export function injectStack(): ConnectedStack {
  const info: StackInfo | undefined = inject('stack');
  if (info === undefined) {
    throw new Error("no shared stack: add globalSetup: ['test/global-setup.ts'] to vitest.config.ts, or call startStack() in beforeAll");
  }
  return connectStack(info);
}
