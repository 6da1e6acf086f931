import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildWithDependencies, REPO_ROOT } from '../../../../scripts/test-support/build-packages.js';

export { REPO_ROOT };
/** The built `llmeter` binary. */
export const LLMETER_BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');

/** Builds the binary and the packages it loads (skipping up-to-date ones). Runs in vitest's globalSetup. */
export function buildBinary(): void {
  buildWithDependencies('packages/cli', 'llmeter');
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
