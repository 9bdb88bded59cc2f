// Vitest-only entry (imports vitest): the shared stack from test/global-setup.ts.
export { injectStack } from './src/inject-stack.ts';
export * from './index.ts';
