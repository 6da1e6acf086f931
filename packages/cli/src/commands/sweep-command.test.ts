import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAST_PROFILE, runLlmeter } from '../test-support/llmeter-binary.js';

const out = mkdtempSync(join(tmpdir(), 'llmeter-sweep-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const fast = ['--emulator-profile', FAST_PROFILE, '--out', out, '--quiet'];

describe('llmeter sweep and heatmap (the built binary against the embedded emulator)', () => {
  it('sweeps client counts: one run folder per level, a table, and a report', async () => {
    const r = await runLlmeter([
      'sweep',
      '--clients',
      '1,3',
      '--requests',
      '3',
      '--run-name',
      'clients',
      '--report',
      ...fast,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^clients\s+requests\s+failed\s+TTFT p50/m);
    expect(r.stdout).toMatch(/^1 client\s+3\s+0 %/m);
    expect(r.stdout).toMatch(/^3 clients\s+9\s+0 %/m);
    expect(r.stderr).toMatch(/\[2\/2\] 3 clients \[done\]/);
    const dir = join(out, 'clients');
    expect(readdirSync(dir).sort()).toEqual(
      expect.arrayContaining(['00001-clients', '00003-clients', 'load_test.json', 'report.html']),
    );
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('data-report-kind="sweep"');
    expect(html).toContain('<canvas id="sweep-throughput"');
  });

  it('sweeps rates with --json', async () => {
    const r = await runLlmeter([
      'sweep',
      '--rates',
      '20,40',
      '--requests',
      '8',
      '--arrival',
      'poisson',
      '--run-name',
      'rates',
      '--json',
      ...fast,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ folder: join(out, 'rates'), parameter: 'rate' });
    expect(json.levels.map((l: { rate: number; total_requests: number }) => [l.rate, l.total_requests])).toEqual([
      [20, 8],
      [40, 8],
    ]);
    expect(existsSync(join(out, 'rates', '00020-rps', 'stats.json'))).toBe(true);
  });

  it('exits 1 when every request of every level failed', async () => {
    const r = await runLlmeter([
      'sweep',
      '--clients',
      '1,2',
      '--requests',
      '1',
      '--max-attempts',
      '1',
      '--emulator-faults',
      '[{"fault":{"kind":"http","status":500}}]',
      '--run-name',
      'failing',
      ...fast,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('every request failed (3 of 3)');
  });

  it('needs a level list and keeps open-loop flags to --rates', async () => {
    const none = await runLlmeter(['sweep', '--requests', '2', ...fast]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("one of '--clients <list>' or '--rates <list>' is required");
    const bad = await runLlmeter(['sweep', '--clients', '1,x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/option '--clients <list>' argument '1,x' is invalid/);
    const both = await runLlmeter(['sweep', '--clients', '1', '--rates', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot be used with option '--rates <list>'/);
    const arrival = await runLlmeter(['sweep', '--clients', '1', '--arrival', 'gamma']);
    expect(arrival.code).toBe(2);
    expect(arrival.stderr).toContain("option '--arrival <process>' needs --rates");
  });

  it('measures a heatmap: a matrix per latency and one folder per cell', async () => {
    const r = await runLlmeter([
      'heatmap',
      '--input-lengths',
      '10,60',
      '--output-lengths',
      '8,32',
      '--requests-per-cell',
      '2',
      '--run-name',
      'heat',
      '--report',
      ...fast,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Average TTFT\ninput \\ max output\s+8\s+32/);
    expect(r.stdout).toMatch(/^60\s+[\d.]+ ms\s+[\d.]+ ms$/m);
    const dir = join(out, 'heat');
    expect(readdirSync(dir)).toEqual(
      expect.arrayContaining(['in10-out8', 'in10-out32', 'in60-out8', 'in60-out32', 'heatmap.json']),
    );
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('data-report-kind="heatmap"');
    const report = await runLlmeter(['report', dir, '--json']);
    expect(JSON.parse(report.stdout)[0].kind).toBe('heatmap');
  });
});
