import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_PROFILE, LLMETER_BIN, runLlmeter } from '../test-support/llmeter-binary.js';

const out = mkdtempSync(join(tmpdir(), 'llmeter-report-cmd-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('llmeter report and compare (the built binary)', () => {
  beforeAll(async () => {
    const fast = ['--emulator-profile', FAST_PROFILE, '--out', out, '--quiet'];
    const [a, b] = await Promise.all([
      runLlmeter(['run', '--clients', '2', '--requests', '5', '--run-name', 'a', ...fast]),
      runLlmeter(['run', '--rate', '30', '--requests', '10', '--run-name', 'b', '--report', ...fast]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toContain(`Report: ${join(out, 'b', 'report.html')}`);
  });

  it('writes a self-contained report for each folder', async () => {
    const r = await runLlmeter(['report', join(out, 'a'), join(out, 'b')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Report (run): ${join(out, 'a', 'report.html')}`);
    expect(r.stdout).toContain(`Report (run): ${join(out, 'b', 'report.html')}`);
    const html = readFileSync(join(out, 'b', 'report.html'), 'utf8');
    expect(html).toContain('<canvas id="run-lag-hist"');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
  });

  it('writes to --output and reports as JSON', async () => {
    const file = join(out, 'custom.html');
    const r = await runLlmeter(['report', join(out, 'a'), '--output', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ dir: join(out, 'a'), file, kind: 'run' }]);
    expect(existsSync(file)).toBe(true);
  });

  it('fails with the folder named when it holds no run', async () => {
    const r = await runLlmeter(['report', join(out, 'missing')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(out, 'missing')}: no such folder`);
    const usage = await runLlmeter(['report']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing required argument 'dir'/);
  });

  it('compares two runs side by side with the change in percent', async () => {
    const r = await runLlmeter(['compare', join(out, 'a'), join(out, 'b')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^statistic\s+A\s+B\s+change$/m);
    expect(r.stdout).toMatch(/^TTFT p50\s+[\d.]+ ms\s+[\d.]+ ms\s+[+-]?[\d.]+ %$/m);
    expect(r.stdout).toMatch(/^requests\s+10\s+10\s+0\.0 %$/m);
    const json = JSON.parse((await runLlmeter(['compare', join(out, 'a'), join(out, 'b'), '--json'])).stdout);
    const row = json.rows.find((x: { key: string }) => x.key === 'time_to_first_token-p50');
    expect(row.changePercent).toBeCloseTo(((row.b - row.a) / row.a) * 100, 6);
  });

  it('compare names a folder that is not a run, or whose files are not JSON', async () => {
    const r = await runLlmeter(['compare', join(out, 'a'), out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${out}: not a run folder`);
    const broken = join(out, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'run_config.json'), '{not json');
    const bad = await runLlmeter(['compare', broken, join(out, 'a')]);
    expect(bad.code).toBe(1);
    // the runner names the file, line and column (the CLI names the folder only when the runner does not)
    expect(bad.stderr).toContain(`${join(broken, 'run_config.json')}:1:2: invalid JSON`);
    const report = await runLlmeter(['report', broken]);
    expect(report.code).toBe(1);
    expect(report.stderr).toContain(`${join(broken, 'run_config.json')}:1:2: invalid JSON`);
  });
});

describe('llmeter emulator (the built binary)', () => {
  it('rejects a bad port and a profile the emulator refuses, naming the flag (exit 2)', async () => {
    const port = await runLlmeter(['emulator', '--port', '99999']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/option '--port <port>' argument '99999' is invalid\. must be a port number/);
    const profile = await runLlmeter(['emulator', '--profile', '{"interTokenDelayMs": -1}']);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toMatch(/option '--profile <json\|file>': profile\.interTokenDelayMs must be/);
  });

  it('serves until SIGINT, and a run against its URL succeeds', async () => {
    const child = spawn(
      process.execPath,
      [LLMETER_BIN, 'emulator', '--port', '0', '--seed', '3', '--profile', FAST_PROFILE],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${stdout}`)), 20_000);
        child.stdout.on('data', () => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1] as string);
          }
        });
      });
      const r = await runLlmeter([
        'run',
        '--endpoint-url',
        url,
        '--requests',
        '3',
        '--out',
        out,
        '--run-name',
        'remote',
        '--quiet',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`emulator ${url} (converse-stream)`);
      expect(r.stdout).toMatch(/^requests\s+3$/m);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain('Bedrock emulator stopped after 3 requests');
  });
});
