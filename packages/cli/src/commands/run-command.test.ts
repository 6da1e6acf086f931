import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAST_PROFILE, LLMETER_BIN, runLlmeter } from '../test-support/llmeter-binary.js';

const out = mkdtempSync(join(tmpdir(), 'llmeter-run-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const fast = ['--emulator-profile', FAST_PROFILE, '--out', out];
const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');

describe('llmeter run (the built binary against the embedded emulator)', () => {
  it('runs a closed loop, prints the statistics table and writes the run folder', async () => {
    const r = await runLlmeter(['run', '--clients', '3', '--requests', '4', '--run-name', 'closed', ...fast]);
    expect(r.stderr).toContain('embedded emulator http://127.0.0.1:');
    expect(r.code).toBe(0);
    for (const label of ['TTFT', 'TTLT', 'TPOT', 'requests per minute', 'failure rate'])
      expect(r.stdout).toContain(label);
    expect(r.stdout).toMatch(/^requests\s+12$/m);
    expect(r.stdout).toContain(`Run folder: ${join(out, 'closed')}`);
    const dir = join(out, 'closed');
    for (const f of ['run_config.json', 'responses.jsonl', 'responses_ext.jsonl', 'summary.json', 'stats.json']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(lines(join(dir, 'responses.jsonl'))).toHaveLength(12);
    const config = JSON.parse(readFileSync(join(dir, 'run_config.json'), 'utf8'));
    expect(config).toMatchObject({ clients: 3, n_requests: 4, mode: 'closed-loop' });
    expect(config.endpoint).toMatchObject({ model_id: 'llmeter.emulated-model-v1' });
    const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
    expect(stats.total_requests).toBe(12);
    expect(stats.failed_requests).toBe(0);
    expect(stats['time_to_first_token-p50']).toBeGreaterThan(0);
  });

  it('runs an open loop with --json, SLOs and warm-up; progress lines go to stderr with --quiet', async () => {
    const r = await runLlmeter([
      'run',
      '--rate',
      '40',
      '--arrival',
      'poisson',
      '--requests',
      '20',
      '--warmup',
      '2',
      '--slo',
      'ttlt=10,tpot=1',
      '--api',
      'converse',
      '--max-tokens',
      '32',
      '--run-name',
      'open',
      '--json',
      '--quiet',
      ...fast,
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.runFolder).toBe(join(out, 'open'));
    expect(json.interrupted).toBe(false);
    expect(json.stats.total_requests).toBe(20);
    expect(json.stats.goodput_requests).toBe(20);
    expect(Object.keys(json.stats)).toEqual(expect.arrayContaining(['schedule_lag-p50', 'time_to_first_token-p99']));
    expect(r.stderr).toMatch(/\[done\] [\d.]+ s: 20\/20 done, 0 errors, 0 in flight, TTFT p50 –/);
    const config = JSON.parse(readFileSync(join(out, 'open', 'run_config.json'), 'utf8'));
    expect(config).toMatchObject({ mode: 'open-loop', rate: 40, arrivals: 'poisson', n_requests: 20 });
    expect(config.endpoint.endpoint_type).toMatch(/converse/i);
    expect(config.endpoint.endpoint_type).not.toMatch(/stream/i);
    const first = JSON.parse(lines(join(out, 'open', 'responses.jsonl'))[0] as string);
    expect(first.input_payload.inferenceConfig.maxTokens).toBe(32);
  });

  it('sends the payloads of a --payload file (lean transport, TTFT at any delta)', async () => {
    const payloads = join(out, 'payloads.jsonl');
    const p = (text: string) =>
      JSON.stringify({ messages: [{ role: 'user', content: [{ text }] }], inferenceConfig: { maxTokens: 16 } });
    writeFileSync(payloads, `${p('first prompt')}\n${p('second prompt')}\n`);
    const r = await runLlmeter([
      'run',
      '--payload',
      payloads,
      '--requests',
      '4',
      '--transport',
      'lean',
      '--ttft-any-delta',
      '--run-name',
      'payloads',
      ...fast,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const endpoint = JSON.parse(readFileSync(join(out, 'payloads', 'run_config.json'), 'utf8')).endpoint;
    expect(endpoint).toMatchObject({ transport: 'lean', ttft_visible_tokens_only: false });
    const prompts = lines(join(out, 'payloads', 'responses.jsonl')).map((l) => JSON.parse(l).input_prompt);
    expect(new Set(prompts)).toEqual(new Set(['first prompt', 'second prompt']));
  });

  it('runs in low memory (--low-memory) and still reports every distribution from the run folder', async () => {
    const r = await runLlmeter([
      'run',
      '--rate',
      '50',
      '--requests',
      '15',
      '--low-memory',
      '--report',
      '--quiet',
      '--run-name',
      'low',
      ...fast,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^requests\s+15$/m);
    const dir = join(out, 'low');
    expect(JSON.parse(readFileSync(join(dir, 'run_config.json'), 'utf8')).low_memory).toBe(true);
    expect(lines(join(dir, 'responses.jsonl'))).toHaveLength(15);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    for (const id of ['run-ttft', 'run-ttlt', 'run-tpot', 'run-outcomes', 'run-lag-hist'])
      expect(html).toContain(`<canvas id="${id}"`);
  });

  it('--max-tokens replaces the maxTokens of --payload payloads (and fills it in where absent)', async () => {
    const payloads = join(out, 'max-tokens.jsonl');
    const text = (t: string, extra: object) =>
      JSON.stringify({ messages: [{ role: 'user', content: [{ text: t }] }], ...extra });
    writeFileSync(
      payloads,
      `${text('a', { inferenceConfig: { maxTokens: 100, temperature: 0.5 } })}\n${text('b', {})}\n`,
    );
    const r = await runLlmeter([
      'run',
      '--payload',
      payloads,
      '--max-tokens',
      '5',
      '--requests',
      '2',
      '--run-name',
      'max-tokens',
      ...fast,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const sent = lines(join(out, 'max-tokens', 'responses.jsonl')).map((l) => JSON.parse(l).input_payload);
    const byPrompt = Object.fromEntries(sent.map((p) => [p.messages[0].content[0].text, p.inferenceConfig]));
    expect(byPrompt).toEqual({ a: { maxTokens: 5, temperature: 0.5 }, b: { maxTokens: 5 } });
  });

  it('still prints the results when --report cannot be written, and exits 1', async () => {
    mkdirSync(join(out, 'report-fails', 'report.html'), { recursive: true });
    const r = await runLlmeter(['run', '--requests', '2', '--report', '--run-name', 'report-fails', ...fast]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`llmeter: could not write the report of ${join(out, 'report-fails')}:`);
    expect(r.stdout).toMatch(/^requests\s+2$/m);
    expect(lines(join(out, 'report-fails', 'responses.jsonl'))).toHaveLength(2);
  });

  it('exits 1 and names the error when every request failed', async () => {
    const r = await runLlmeter([
      'run',
      '--requests',
      '3',
      '--max-attempts',
      '1',
      '--run-name',
      'failing',
      '--emulator-faults',
      '[{"fault":{"kind":"http","status":500}}]',
      ...fast,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/every request failed \(3 of 3\); most common error: .+/);
    expect(r.stdout).toMatch(/^failure rate\s+100 %$/m);
  });

  it('exits 1 when the run cannot start (a payload file that is not JSON)', async () => {
    const bad = join(out, 'bad.jsonl');
    writeFileSync(bad, '{not json\n');
    const r = await runLlmeter(['run', '--payload', bad, '--requests', '1', ...fast]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^llmeter: .*bad\.jsonl/m);
  });
});

/** Runs the binary on a pseudo-terminal (util-linux `script`), so stdout and stderr are TTYs; resolves with all it printed. */
function runOnTerminal(args: string[]): Promise<{ code: number | null; output: string }> {
  const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const command = [process.execPath, LLMETER_BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', COLUMNS: '200' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasScript)('llmeter run on a terminal (a pseudo-terminal)', () => {
  it('draws the live progress bar, not plain lines', async () => {
    const r = await runOnTerminal(['run', '--clients', '2', '--requests', '5', '--run-name', 'tty-bar', ...fast]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/run \u2588+ 10\/10 \| errors 0 \| in flight 0 \| [\d.]+ s \| TTFT p50 [\d.]+ ms p90/);
    expect(r.output).not.toMatch(/\[(run|done)\] [\d.]+ s:/);
    expect(r.output).toMatch(/^requests\s+10\s*$/m);
  });

  it('prints plain lines with --quiet', async () => {
    const r = await runOnTerminal(['run', '--requests', '3', '--quiet', '--run-name', 'tty-quiet', ...fast]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/\[done\] [\d.]+ s: 3\/3 done, 0 errors/);
    expect(r.output).not.toContain('| errors');
  });
});

describe('llmeter run stopped by Ctrl-C', () => {
  it('stops sending on SIGINT, prints the statistics of what finished and saves the run folder', async () => {
    const child = spawn(
      process.execPath,
      [LLMETER_BIN, 'run', '--duration', '30', '--clients', '2', '--quiet', '--run-name', 'stopped', ...fast],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Interrupt once requests are finishing (the first progress line with some done), or after 10 s at most.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/\[run\] [\d.]+ s: [1-9]\d* done/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('The run was interrupted');
    const stats = JSON.parse(readFileSync(join(out, 'stopped', 'stats.json'), 'utf8'));
    expect(stats.interrupted).toBe(true);
    expect(stats.total_requests).toBeGreaterThan(0);
    expect(lines(join(out, 'stopped', 'responses.jsonl'))).toHaveLength(stats.total_requests);
  });
});

describe('llmeter run rejects bad flags, naming the flag (exit 2)', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', ['--clinets', '3'], /unknown option '--clinets'[\s\S]*Did you mean --clients\?/],
    [
      'a non-numeric rate',
      ['--rate', 'fast'],
      /option '--rate <rps>' argument 'fast' is invalid\. must be a positive number/,
    ],
    ['a zero client count', ['--clients', '0'], /option '--clients <n>' argument '0' is invalid/],
    ['a fractional request count', ['--requests', '2.5'], /option '--requests <n>' argument '2.5' is invalid/],
    [
      'an unknown endpoint',
      ['--endpoint', 'openai'],
      /option '--endpoint <kind>' argument 'openai' is invalid\. Allowed choices are emulator, bedrock-converse, bedrock-converse-stream/,
    ],
    [
      'clients with a rate',
      ['--clients', '2', '--rate', '5'],
      /option '--clients <n>' cannot be used with option '--rate <rps>'/,
    ],
    ['an arrival process without a rate', ['--arrival', 'poisson'], /option '--arrival <process>' needs --rate/],
    [
      'Bedrock without a model id',
      ['--endpoint', 'bedrock-converse'],
      /option '--model-id <id>' is required with --endpoint bedrock-converse/,
    ],
    [
      'a malformed SLO',
      ['--slo', 'ttft=fast'],
      /option '--slo <objectives>' argument 'ttft=fast' is invalid\. ttft must be a positive number/,
    ],
    ['an unknown SLO key', ['--slo', 'latency=1'], /option '--slo <objectives>' argument 'latency=1' is invalid/],
    [
      'a missing payload file',
      ['--payload', '/nonexistent/p.jsonl'],
      /option '--payload <path>' argument '\/nonexistent\/p\.jsonl' is invalid\. no such file/,
    ],
    [
      'both --payload and --prompt',
      ['--payload', '/', '--prompt', 'hi'],
      /option '--payload <path>' cannot be used with option '--prompt <text>'/,
    ],
    [
      '--ttft-any-delta with Converse',
      ['--api', 'converse', '--ttft-any-delta'],
      /option '--ttft-any-delta' applies to streaming \(ConverseStream\) only/,
    ],
    [
      'an unknown transport',
      ['--transport', 'curl'],
      /option '--transport <transport>' argument 'curl' is invalid\. Allowed choices are sdk, lean/,
    ],
    [
      'emulator options against Bedrock',
      ['--endpoint', 'bedrock-converse-stream', '--model-id', 'm', '--emulator-seed', '2'],
      /option '--emulator-seed' applies to the embedded emulator only/,
    ],
    ['an empty region', ['--region', ''], /option '--region <region>' argument '' is invalid\. must not be empty/],
    ['an empty model id', ['--model-id', ' '], /option '--model-id <id>' argument ' ' is invalid\. must not be empty/],
    ['an empty prompt', ['--prompt', ''], /option '--prompt <text>' argument '' is invalid\. must not be empty/],
    [
      'a latency profile the emulator refuses',
      ['--emulator-profile', '{"ttftMs": {"distribution": "weird"}}'],
      /option '--emulator-profile <json\|file>': profile\.ttftMs\.distribution must be/,
    ],
    [
      'a fault rule the emulator refuses',
      ['--emulator-faults', '[{"bad": 1}]'],
      /option '--emulator-faults <json\|file>': faults\[0\]/,
    ],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const r = await runLlmeter(['run', ...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('refuses an --out that is not a folder before measuring anything', async () => {
    const file = join(out, 'a-file');
    writeFileSync(file, 'not a folder');
    const r = await runLlmeter(['run', '--requests', '1', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`option '--out <dir>': ${file} is not a folder`);
    expect(r.stderr).not.toContain('measuring');
    const sweep = await runLlmeter(['sweep', '--clients', '1', '--requests', '1', '--out', join(file, 'x')]);
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toContain(`option '--out <dir>': ${join(file, 'x')} is not a folder`);
  });

  it('prints help with examples (exit 0)', async () => {
    const r = await runLlmeter(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--rate <rps>');
    const top = await runLlmeter(['--help']);
    for (const c of ['run', 'sweep', 'heatmap', 'report', 'compare', 'emulator'])
      expect(top.stdout).toContain(`llmeter ${c}`);
    const helps = await Promise.all(
      ['sweep', 'heatmap', 'report', 'compare', 'emulator'].map((c) => runLlmeter([c, '--help'])),
    );
    for (const h of helps) {
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/Examples:\n\s+(#.*\n\s+)?\$ llmeter (sweep|heatmap|report|compare|emulator) /);
    }
  });

  it('rejects an unknown command', async () => {
    const r = await runLlmeter(['rnu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'rnu'[\s\S]*Did you mean run\?/);
  });
});
