import { defineConfig } from 'vitest/config';

// `npm run e2e`: HAT's whole flow on a real cluster (hat cluster up + hat install): the catalog synced by Argo CD,
// a signed push delivered to the pipeline chart's EventListener, the PipelineRun in pods. Needs root and the
// cluster's programs (built by the first `hat cluster up`, about 40 minutes on 2 cores; cached per user).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 3_600_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    setupFiles: ['test/setup-path.ts'],
    sequence: { concurrent: false },
  },
});
