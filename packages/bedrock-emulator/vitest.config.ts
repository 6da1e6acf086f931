import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: '@llmeter/bedrock-emulator',
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    // bin.test.ts spawns the built `llmeter-bedrock-emulator` (dist/bin.js): build it (when stale) once per run.
    globalSetup: ['./src/test-support/global-setup.ts'],
  },
});
