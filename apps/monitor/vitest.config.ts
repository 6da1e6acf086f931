import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: '@llmeter/monitor',
    include: ['src/**/*.test.ts'],
    // main.test.ts spawns the real `llmeter-monitor` (dist/main.js): build it (when stale) once per run.
    globalSetup: ['./src/test-support/global-setup.ts'],
  },
});
