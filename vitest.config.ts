import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['libs/*/test/**/*.test.ts', 'tasks/*/test/**/*.test.ts', 'cli/test/**/*.test.ts', 'test/**/*.test.ts'],
    // The container, cluster and end-to-end tests have their own configs (`npm run test:images`, `test:cluster`, `e2e`).
    exclude: [...configDefaults.exclude, 'test/images/**', 'test/cluster/**', 'test/e2e/**'],
    restoreMocks: true,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    setupFiles: ['test/setup-path.ts'],
    // One shared git server + registry for the run (injectStack()); tests that stop servers start their own.
    globalSetup: ['test/global-setup.ts'],
  },
});
