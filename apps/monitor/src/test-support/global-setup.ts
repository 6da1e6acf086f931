import { buildMonitorBinary } from './monitor-binary.js';

/** Builds `llmeter-monitor` (and what it loads) before the test that spawns it. */
export default function setup(): void {
  buildMonitorBinary();
}
