// Types what test/global-setup.ts provides to test files.
import type { StackInfo } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}
