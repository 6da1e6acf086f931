import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '__fixtures__' && entry.name !== 'test-support') newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds this package (`tsc -p tsconfig.build.json`) when its bin is missing or older than a source file, so the
 * bin test spawns what `npm install` would ship. The package imports no other package of ours: nothing else to build.
 */
export function buildEmulatorBinary(): void {
  const bin = emulatorBinPath();
  if (existsSync(bin) && statSync(bin).mtimeMs >= newestSource(join(PACKAGE_DIR, 'src'))) return;
  const tsc = createRequire(join(PACKAGE_DIR, 'package.json')).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(PACKAGE_DIR, 'tsconfig.build.json')], { stdio: 'pipe' });
  } catch (error) {
    // tsc still emits on a type error (someone may be mid-change): go on with what it emitted, if anything.
    if (!existsSync(bin)) throw error;
    const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
    console.warn(`bedrock-emulator: tsc reported errors; testing the emitted bin\n${out.slice(0, 2000)}`);
  }
}
