import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: '@llmeter/cli',
    include: ['src/**/*.test.ts'],
    // The binary tests spawn the real `llmeter` (dist/bin.js): build it (when stale) once per run.
    globalSetup: ['./src/test-support/global-setup.ts'],
  },
});
