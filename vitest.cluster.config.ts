import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: a real single-node Kubernetes with Tekton, Triggers and Argo CD (hat cluster up) on this
// machine, and its teardown. Needs root; the first run builds its programs from the Go module proxy (about 40
// minutes on 2 cores).
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 3_600_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    setupFiles: ['test/setup-path.ts'],
  },
});
