// Vitest global setup: one shared git server + registry for the whole run; test files get it with
// injectStack() from test/stack/vitest.ts. Files that need their own server call startGitServer().
import type { TestProject } from 'vitest/node';
import './stack/src/provided-context.ts';
import { startStack } from './stack/index.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startStack();
  project.provide('stack', stack.info());
  return () => stack.stop();
}
