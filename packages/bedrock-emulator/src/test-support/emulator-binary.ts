import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWithDependencies } from '../../../../scripts/test-support/build-packages.js';

/** This package's folder. */
export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** The built `llmeter-bedrock-emulator`, as package.json's `bin` names it. */
export function emulatorBinPath(): string {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  const bin = manifest.bin['llmeter-bedrock-emulator'];
  if (!bin) throw new Error('package.json has no llmeter-bedrock-emulator bin');
  return join(PACKAGE_DIR, bin);
}

/**
 * Builds this package when its dist/ is missing or older than a source file, so the bin test spawns what
 * `npm install` would ship. The package imports no other package of ours: nothing else to build.
 */
export function buildEmulatorBinary(): void {
  buildWithDependencies('packages/bedrock-emulator', 'bedrock-emulator');
}
