import { defineConfig } from 'vitest/config';

// `npm run test:images`: every task image in a real container runtime (containerd + runc, `ctr run`). The global
// setup builds HAT's bases (cached per user), publishes the Tasks into a temp catalog (real images in the stack's
// registry) and imports the images into containerd.
export default defineConfig({
  test: {
    include: ['test/images/**/*.test.ts'],
    restoreMocks: true,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    setupFiles: ['test/setup-path.ts'],
    globalSetup: ['test/images/global-setup.ts'],
  },
});
