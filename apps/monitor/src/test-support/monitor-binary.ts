import { join } from 'node:path';
import { buildWithDependencies, REPO_ROOT } from '../../../../scripts/test-support/build-packages.js';

export { REPO_ROOT };
/** The built `llmeter-monitor` binary. */
export const MONITOR_BIN = join(REPO_ROOT, 'apps/monitor/dist/main.js');

/** Builds the monitor binary and the packages it loads (skipping up-to-date ones). Runs in vitest's globalSetup. */
export function buildMonitorBinary(): void {
  buildWithDependencies('apps/monitor', 'monitor');
}
