import { defineConfig } from 'vitest/config';

/** The whole suite in one run; `.ci/run` reads the JSON report for its closing line. */
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
