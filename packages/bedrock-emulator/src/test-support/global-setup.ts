import { buildEmulatorBinary } from './emulator-binary.js';

/** Builds `llmeter-bedrock-emulator` (when stale) once per run, before bin.test.ts spawns it. */
export default function setup(): void {
  buildEmulatorBinary();
}
