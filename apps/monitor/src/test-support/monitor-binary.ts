import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The built `llmeter-monitor` binary. */
export const MONITOR_BIN = join(REPO_ROOT, 'apps/monitor/dist/main.js');

/** The packages the binary loads at runtime, in build order (each resolves the others through their dist/). */
const BUILD_ORDER = [
  'packages/core',
  'packages/bedrock-emulator',
  'packages/bedrock',
  'packages/otel',
  'apps/monitor',
] as const;

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
 * Builds the monitor binary and the packages it loads (`tsc -p tsconfig.build.json`, in dependency order),
 * skipping packages whose dist/ is newer than their sources. Runs in vitest's globalSetup, once per test run.
 */
export function buildMonitorBinary(): void {
  const tsc = createRequire(join(REPO_ROOT, 'package.json')).resolve('typescript/bin/tsc');
  let stale = false;
  for (const pkg of BUILD_ORDER) {
    const dir = join(REPO_ROOT, pkg);
    const built = join(dir, 'dist/index.js');
    stale ||= !existsSync(built) || statSync(built).mtimeMs < newestSource(join(dir, 'src'));
    if (pkg === 'apps/monitor')
      stale ||= !existsSync(MONITOR_BIN) || statSync(MONITOR_BIN).mtimeMs < newestSource(join(dir, 'src'));
    if (!stale) continue;
    try {
      execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], { stdio: 'pipe' });
    } catch (error) {
      // tsc still emits on type errors (another package may be mid-change): go on when its dist/ exists.
      if (!existsSync(built)) throw error;
      const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
      console.warn(`monitor tests: building ${pkg} reported errors; using the emitted dist/\n${out.slice(0, 2000)}`);
    }
  }
}
