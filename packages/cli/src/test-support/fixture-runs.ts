import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorType, InvocationResponse, summarize } from '@llmeter/core';

/** A small seeded generator (mulberry32) so fixtures are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a synthetic run looks like. */
export interface FixtureRunOptions {
  requests: number;
  seed?: number;
  /** Mean TTFT in seconds. */
  ttft?: number;
  /** Seconds per output token. */
  tpot?: number;
  outputTokens?: number;
  inputTokens?: number;
  /** Failures: every n-th request fails with the given type. */
  failures?: { every: number; type: ErrorType }[];
  /** Open loop: records carry a schedule lag and `config.rate` is set. */
  rate?: number;
  clients?: number;
  /** Keep chunk times (streaming). */
  chunks?: boolean;
  config?: Record<string, unknown>;
}

/** Synthetic records with LLMeter-shaped timings. */
export function fixtureRecords(options: FixtureRunOptions): InvocationResponse[] {
  const rnd = random(options.seed ?? 1);
  const ttft = options.ttft ?? 0.2;
  const tpot = options.tpot ?? 0.02;
  const out = options.outputTokens ?? 40;
  const start = Date.UTC(2026, 0, 1, 12, 0, 0);
  const spacing = options.rate ? 1000 / options.rate : 100;
  return Array.from({ length: options.requests }, (_, i) => {
    const failure = options.failures?.find((f) => (i + 1) % f.every === 0);
    const first = ttft * (0.5 + rnd());
    const n = Math.max(2, Math.round(out * (0.7 + 0.6 * rnd())));
    const last = first + tpot * (0.8 + 0.4 * rnd()) * (n - 1);
    const record = new InvocationResponse({
      id: `req${String(i).padStart(4, '0')}`,
      requestTime: new Date(start + i * spacing),
      inputPayload: { messages: [{ role: 'user', content: [{ text: 'hello' }] }] },
      inputPrompt: 'hello',
      numTokensInput: options.inputTokens ?? 12,
      retries: 0,
    });
    if (options.rate) record.scheduleLag = 0.0005 + 0.004 * rnd() * (i / options.requests);
    if (failure) {
      record.error = `fixture failure (${failure.type})`;
      record.errorType = failure.type;
      return record;
    }
    record.timeToFirstToken = first;
    record.timeToLastToken = last;
    record.numTokensOutput = n;
    record.responseText = 'lorem ipsum '.repeat(n / 2);
    record.stopReason = 'end_turn';
    if (options.chunks) record.chunkTimes = Array.from({ length: n }, (_, k) => first + ((last - first) * k) / (n - 1));
    return record;
  });
}

/** LLMeter-style statistics of records (enough for the report and table tests). */
export function fixtureStats(records: readonly InvocationResponse[]): Record<string, unknown> {
  const stats: Record<string, unknown> = {};
  const metrics: [string, (r: InvocationResponse) => number | null][] = [
    ['time_to_last_token', (r) => r.timeToLastToken],
    ['time_to_first_token', (r) => r.timeToFirstToken],
    ['time_per_output_token', (r) => r.effectiveTimePerOutputToken],
    ['num_tokens_output', (r) => r.numTokensOutput],
    ['num_tokens_input', (r) => r.numTokensInput],
  ];
  for (const [key, pick] of metrics) {
    const s = summarize(records.map(pick));
    for (const c of ['average', 'p50', 'p90', 'p99'] as const) stats[`${key}-${c}`] = s[c];
  }
  const failed = records.filter((r) => r.error !== null).length;
  const times = records.map((r) => r.requestTime?.getTime() ?? 0);
  const window = (Math.max(...times) - Math.min(...times)) / 1000 || 1;
  const outputTokens = records.reduce((a, r) => a + (r.numTokensOutput ?? 0), 0);
  Object.assign(stats, {
    failed_requests: failed,
    failed_requests_rate: records.length ? failed / records.length : 0,
    total_requests: records.length,
    total_input_tokens: records.reduce((a, r) => a + (r.numTokensInput ?? 0), 0),
    total_output_tokens: outputTokens,
    requests_per_minute: (records.length * 60) / window,
    output_tps: outputTokens / window,
  });
  return stats;
}

/** Writes a run folder (LLMeter files plus our `responses_ext.jsonl` sidecar) and returns its path. */
export function writeFixtureRun(dir: string, options: FixtureRunOptions): string {
  mkdirSync(dir, { recursive: true });
  const records = fixtureRecords(options);
  const config = {
    run_name: dir.split('/').pop(),
    endpoint: {
      endpoint_type: 'BedrockConverseStream',
      model_id: 'fixture.model-v1',
      endpoint_name: 'amazon bedrock',
      provider: 'bedrock',
    },
    clients: options.clients ?? 1,
    n_requests: options.requests,
    ...(options.rate ? { rate: options.rate, arrivals: 'poisson' } : {}),
    ...options.config,
  };
  writeFileSync(join(dir, 'run_config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(join(dir, 'responses.jsonl'), records.map((r) => `${JSON.stringify(r.toJSON())}\n`).join(''));
  writeFileSync(
    join(dir, 'responses_ext.jsonl'),
    records.map((r) => `${JSON.stringify(r.toExtensionJSON())}\n`).join(''),
  );
  writeFileSync(join(dir, 'stats.json'), `${JSON.stringify(fixtureStats(records), null, 2)}\n`);
  return dir;
}

/** Writes a sweep folder as `LoadTest` does: one run folder per level (`00004-clients`, `00010-rps`). */
export function writeFixtureSweep(
  dir: string,
  parameter: 'clients' | 'rate',
  levels: number[],
  requests = 30,
  config: Record<string, unknown> = {},
): string {
  levels.forEach((level, i) => {
    const [whole, fraction] = String(level).split('.');
    const name = `${(whole as string).padStart(5, '0')}${fraction ? `.${fraction}` : ''}-${parameter === 'clients' ? 'clients' : 'rps'}`;
    writeFixtureRun(join(dir, name), {
      requests,
      seed: i + 1,
      ttft: 0.1 * (1 + i),
      ...(parameter === 'clients' ? { clients: level } : { rate: level }),
      failures: i === levels.length - 1 ? [{ every: 5, type: 'throttled' }] : [],
      config,
    });
  });
  return dir;
}

/** Writes a latency-heatmap folder as `LatencyHeatmap` does: one run folder `in{N}-out{M}` per cell. */
export function writeFixtureHeatmap(dir: string, inputs: number[], outputs: number[]): string {
  inputs.forEach((input, i) => {
    outputs.forEach((output, j) => {
      writeFixtureRun(join(dir, `in${input}-out${output}`), {
        requests: 4,
        seed: 10 * i + j + 1,
        ttft: 0.05 + input / 2000,
        outputTokens: output,
        inputTokens: input,
      });
    });
  });
  return dir;
}
