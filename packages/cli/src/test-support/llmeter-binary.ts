import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The built `llmeter` binary. */
export const LLMETER_BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');

/** The packages the binary loads at runtime, in build order (each resolves the others through their dist/). */
const BUILD_ORDER = ['core', 'bedrock-emulator', 'bedrock', 'runner', 'cli'];

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
 * Builds the binary and the packages it loads (`tsc -p tsconfig.build.json`, in dependency order), skipping
 * packages whose dist/ is newer than their sources. Runs in vitest's globalSetup, once per test run.
 */
export function buildBinary(): void {
  const tsc = createRequire(join(REPO_ROOT, 'package.json')).resolve('typescript/bin/tsc');
  let stale = false;
  for (const pkg of BUILD_ORDER) {
    const dir = join(REPO_ROOT, 'packages', pkg);
    const built = join(dir, 'dist/index.js');
    stale ||= !existsSync(built) || statSync(built).mtimeMs < newestSource(join(dir, 'src'));
    if (pkg === 'cli') stale ||= !existsSync(LLMETER_BIN);
    if (!stale) continue;
    try {
      execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], { stdio: 'pipe' });
    } catch (error) {
      // tsc still emits on type errors (another package may be mid-change): go on when its dist/ exists.
      if (!existsSync(built)) throw error;
      const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
      console.warn(`llmeter tests: building ${pkg} reported errors; using the emitted dist/\n${out.slice(0, 2000)}`);
    }
  }
}

/** What a finished `llmeter` process left. */
export interface LlmeterRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/bin.js ...args` to completion (killed after `timeoutMs`, default 60 s). */
export function runLlmeter(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<LlmeterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LLMETER_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A fast emulator profile for tests: short TTFT, few tokens. */
export const FAST_PROFILE = JSON.stringify({
  ttftMs: { distribution: 'uniform', min: 5, max: 25 },
  interTokenDelayMs: 1,
  outputTokens: { min: 8, max: 24 },
});
