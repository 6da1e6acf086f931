#!/usr/bin/env node
import { startBedrockEmulator } from './bedrock-emulator.js';
import { BIN_USAGE, parseBinArgs } from './bin-options.js';

async function main(): Promise<void> {
  const options = parseBinArgs(process.argv.slice(2));
  if (options === 'help') {
    console.log(BIN_USAGE);
    return;
  }
  const emulator = await startBedrockEmulator(options);
  console.log(emulator.url);
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`llmeter-bedrock-emulator: ${(err as Error).message}`);
  console.error(BIN_USAGE);
  process.exit(2);
});
