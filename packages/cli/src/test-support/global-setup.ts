import { buildBinary } from './llmeter-binary.js';

/** Builds the `llmeter` binary (and what it loads) before the CLI tests that spawn it. */
export default function setup(): void {
  buildBinary();
}
