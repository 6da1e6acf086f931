import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';

/** Runs the command line in-process with captured output. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await runCli(argv, { stdout: out, stderr: err });
  return { code, stdout, stderr };
}

// One bad value for every flag that takes one, per command: [command, flag, value].
const BAD_VALUES: [string, string, string][] = [
  ...(['run', 'sweep', 'heatmap'] as const).flatMap((c): [string, string, string][] => [
    [c, '--endpoint', 'openai'],
    [c, '--api', 'invoke'],
    [c, '--model-id', ''],
    [c, '--region', ' '],
    [c, '--endpoint-url', 'localhost:8080'],
    [c, '--max-attempts', '0'],
    [c, '--transport', 'curl'],
    [c, '--emulator-profile', '{'],
    [c, '--emulator-faults', '[nope'],
    [c, '--emulator-seed', '-1'],
    [c, '--timeout', '0'],
    [c, '--warmup', 'soon'],
    [c, '--slo', 'p99=1'],
    [c, '--seed', '0'],
    [c, '--out', ''],
    [c, '--run-name', ''],
  ]),
  ...(['run', 'sweep'] as const).flatMap((c): [string, string, string][] => [
    [c, '--payload', '/no/such/payloads.jsonl'],
    [c, '--prompt', ''],
    [c, '--max-tokens', '-1'],
    [c, '--requests', '1.5'],
    [c, '--duration', 'long'],
    [c, '--arrival', 'bursty'],
    [c, '--burstiness', '0'],
    [c, '--max-concurrency', '0'],
  ]),
  ['run', '--clients', '0'],
  ['run', '--rate', 'fast'],
  ['sweep', '--clients', '1,two'],
  ['sweep', '--rates', '5,-1'],
  ['heatmap', '--input-lengths', '10,0'],
  ['heatmap', '--output-lengths', 'x'],
  ['heatmap', '--requests-per-cell', '0'],
  ['heatmap', '--source-text', '/no/such/book.txt'],
  ['heatmap', '--clients', '-2'],
  ['emulator', '--host', ''],
  ['emulator', '--port', '70000'],
  ['emulator', '--seed', 'x'],
  ['emulator', '--profile', '{'],
  ['emulator', '--faults', '{"kind": "http"}'],
];

describe('every flag refuses a bad value, naming the flag (exit 2, nothing run)', () => {
  it.each(BAD_VALUES)('%s %s %j', async (command, flag, value) => {
    const r = await cli([command, flag, value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`option '${flag}`);
    expect(r.stdout).toBe('');
  });

  it('report --output refuses an empty path', async () => {
    const r = await cli(['report', '.', '--output', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '-o, --output <file>'");
  });

  it.each(['run', 'sweep', 'heatmap', 'report', 'compare', 'emulator'])('%s refuses an unknown flag', async (c) => {
    const r = await cli([c, '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--no-such-flag'");
  });
});
