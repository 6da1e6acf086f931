// The real `llmeter-monitor` binary (dist/main.js, built by the globalSetup): out of the box it probes the
// embedded emulator and serves /metrics; SIGTERM stops it cleanly; bad input exits non-zero naming the culprit.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONITOR_BIN, REPO_ROOT } from './test-support/monitor-binary.js';

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns the binary with a clean environment (no inherited LLMETER_MONITOR_* or AWS settings). */
function start(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('LLMETER_MONITOR_') && !k.startsWith('AWS_')),
  );
  const child = spawn(process.execPath, [MONITOR_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...clean, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  // Never leave it running: killed after 60 s whatever happens.
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const finished = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, ...out });
    });
  });
  return { child, out, finished };
}

/** Polls until `check` returns a value, within a bounded deadline. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
}

describe('llmeter-monitor (the binary)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llmeter-monitor-bin-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('probes the embedded emulator with no model configured, serves /metrics, and exits 0 on SIGTERM', async () => {
    // The file gives a fast emulator profile; the environment gives the port (0: a free one) and the interval.
    const config = join(dir, 'monitor.json');
    await writeFile(
      config,
      JSON.stringify({
        emulator: {
          profile: {
            ttftMs: { distribution: 'uniform', min: 5, max: 30 },
            interTokenDelayMs: 1,
            outputTokens: { min: 4, max: 12 },
          },
        },
      }),
    );
    const { child, out, finished } = start(['--config', config], {
      LLMETER_MONITOR_PORT: '0',
      LLMETER_MONITOR_INTERVAL_MS: '200',
    });
    try {
      const metricsUrl = await waitFor('the metrics URL in the log', () => {
        if (child.exitCode !== null) throw new Error(`exited early (${child.exitCode}): ${out.stderr}`);
        return /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(out.stdout)?.[1];
      });
      expect(out.stdout).toContain('embedded emulator');
      // once it has probed (a round done), the scrape has the streaming histograms of both default models
      await waitFor('a probe round', async () => {
        const health = (await (await fetch(new URL('/healthz', metricsUrl))).json()) as { rounds: number };
        return health.rounds >= 1 ? true : undefined;
      });
      const text = await (await fetch(metricsUrl)).text();
      expect(text).toMatch(
        /gen_ai_client_operation_time_to_first_chunk_bucket\{[^}]*gen_ai_request_model="amazon\.nova-lite-v1:0"/,
      );
      expect(text).toMatch(/gen_ai_client_operation_duration_count\{[^}]*gen_ai_operation_name="chat"/);
      expect(text).toMatch(/llmeter_client_requests_total\{[^}]*gen_ai_provider_name="aws\.bedrock"/);

      child.kill('SIGTERM');
      // in-flight probes get 5 s; a process still there 20 s later did not stop
      const stuck = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const done = await finished;
      clearTimeout(stuck);
      expect(done.signal, done.stderr).toBeNull();
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain('SIGTERM: stopping');
      expect(done.stderr).toBe('');
      // the metrics server is closed
      await expect(fetch(metricsUrl)).rejects.toThrow();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await finished.catch(() => {});
    }
  }, 90_000);

  it('exits 1 on a configuration error, naming the variable and the value', async () => {
    const { finished } = start([], { LLMETER_MONITOR_PORT: 'ninety' });
    const done = await finished;
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/^llmeter-monitor: .*LLMETER_MONITOR_PORT/m);
    expect(done.stderr).toContain('ninety');
  }, 60_000);

  it('exits 1 naming a configuration file that does not exist, and 2 on an unknown flag', async () => {
    const missing = join(dir, 'nope.json');
    const a = await start(['--config', missing]).finished;
    expect(a.code).toBe(1);
    expect(a.stderr).toContain(missing);
    const b = await start(['--interval', '5']).finished;
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--interval/);
    expect(b.stderr).toContain('Usage: llmeter-monitor');
  }, 60_000);
});
