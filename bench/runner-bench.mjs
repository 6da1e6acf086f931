// Measures the runner harness itself (not the endpoint): see bench/README.md, section "Runner harness".
// Usage: node bench/runner-bench.mjs [--no-build] [--quick] [--only harness,converse,lag,ttft,memory]
//        [--transport sdk|lean] [--json out.json]
// Builds core, bedrock-emulator, bedrock and runner (tsc) unless --no-build; the emulator runs in a child process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from './bench-support.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    quick: { type: 'boolean' },
    only: { type: 'string' },
    transport: { type: 'string' },
    json: { type: 'string' },
  },
});
if (!args['no-build']) {
  for (const pkg of ['core', 'bedrock-emulator', 'bedrock', 'runner']) {
    execFileSync('npx', ['tsc', '-p', `packages/${pkg}/tsconfig.build.json`], { cwd: root, stdio: 'inherit' });
  }
}
const { Runner } = await import('../packages/runner/dist/index.js');
const { BedrockConverse, BedrockConverseStream } = await import('../packages/bedrock/dist/index.js');
const { NullEndpoint } = await import('./runner-null-endpoint.mjs');

const quick = args.quick === true;
const only = args.only ? new Set(args.only.split(',')) : null;
const transport = args.transport ?? 'sdk';
const out = { machine: machine(), transport, quick, results: {} };
console.log(`machine: ${JSON.stringify(out.machine)}`);
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' };
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

function machine() {
  const c = cpus();
  return {
    cpu: c[0]?.model,
    cores: c.length,
    memGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
    loadavgAtStart: loadavg(),
  };
}
const fmt = (x, d = 2) => (x === null || x === undefined ? 'n/a' : Number(x).toFixed(d));
const ms = (s) => (s === null || s === undefined ? null : s * 1000);

function endpointFor(Cls, url, concurrency) {
  return new Cls({
    modelId: MODEL,
    endpointUrl: url,
    region: 'us-east-1',
    credentials: CREDS,
    maxAttempts: 1,
    maxConcurrency: concurrency,
    transport,
  });
}
const payload = [
  { messages: [{ role: 'user', content: [{ text: 'Say something short.' }] }], inferenceConfig: { maxTokens: 8 } },
];
const cpuSeconds = (u) => (u.user + u.system) / 1e6;

async function measured(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await fn();
  const wall = (performance.now() - t0) / 1000;
  return { r, wall, cpu: cpuSeconds(process.cpuUsage(c0)) };
}

// 1. The harness alone: Runner + NullEndpoint (no network), closed loop and open loop.
if (!only || only.has('harness')) {
  const closed = await measured(() =>
    new Runner({
      endpoint: new NullEndpoint(),
      payload,
      clients: 64,
      runDuration: quick ? 1 : 3,
      handleSignals: false,
    }).run(),
  );
  const openRate = 5000;
  const open = await measured(() =>
    new Runner({
      endpoint: new NullEndpoint(),
      payload,
      rate: openRate,
      runDuration: quick ? 1 : 3,
      handleSignals: false,
    }).run(),
  );
  out.results.harness = {
    closedLoopRps: closed.r.totalRequests / closed.wall,
    closedCpuPerRequestUs: (closed.cpu / closed.r.totalRequests) * 1e6,
    openLoopRate: openRate,
    openAchieved: open.r.stats['achieved_request_rate'],
    openLagP50ms: ms(open.r.stats['schedule_lag-p50']),
    openLagP99ms: ms(open.r.stats['schedule_lag-p99']),
  };
  console.log(
    `harness only: closed loop ${fmt(out.results.harness.closedLoopRps, 0)} req/s (${fmt(out.results.harness.closedCpuPerRequestUs, 1)} µs CPU/request); ` +
      `open loop at ${openRate}/s: achieved ${fmt(open.r.stats['achieved_request_rate'], 0)}/s, lag p50 ${fmt(out.results.harness.openLagP50ms, 3)} ms p99 ${fmt(out.results.harness.openLagP99ms, 3)} ms`,
  );
}

// 2. The most Converse requests/second one process sustains (emulator answers at once, in its own process).
if (!only || only.has('converse')) {
  const emu = await startEmulator({
    groundTruthLimit: 200_000,
    seed: 1,
    profile: { ttftMs: 0, interTokenDelayMs: 0, outputTokens: 4 },
  });
  const rows = [];
  for (const clients of quick ? [32] : [8, 32, 128, 512]) {
    const m = await measured(() =>
      new Runner({
        endpoint: endpointFor(BedrockConverse, emu.url, clients),
        payload,
        clients,
        runDuration: quick ? 1.5 : 4,
        handleSignals: false,
      }).run(),
    );
    const row = {
      clients,
      rps: m.r.totalRequests / m.wall,
      failed: m.r.stats['failed_requests'],
      harnessCpuShare: m.cpu / m.wall,
      ttltP50ms: ms(m.r.stats['time_to_last_token-p50']),
    };
    rows.push(row);
    console.log(
      `converse closed loop, ${clients} clients: ${fmt(row.rps, 0)} req/s, client CPU ${fmt(row.harnessCpuShare * 100, 0)}% of a core, TTLT p50 ${fmt(row.ttltP50ms)} ms, failed ${row.failed}`,
    );
  }
  out.results.converse = rows;
  await emu.close();
}

// 3. Schedule lag at 100 and 1,000 requests/second (streaming, open loop).
if (!only || only.has('lag')) {
  const emu = await startEmulator({
    groundTruthLimit: 200_000,
    seed: 1,
    profile: { ttftMs: 50, interTokenDelayMs: 5, outputTokens: 20 },
  });
  const rows = [];
  for (const [rate, seconds] of quick
    ? [
        [100, 2],
        [1000, 1],
      ]
    : [
        [100, 5],
        [1000, 5],
        [2000, 3],
      ]) {
    const r = await new Runner({
      endpoint: endpointFor(BedrockConverseStream, emu.url, 1024),
      payload,
      rate,
      runDuration: seconds,
      handleSignals: false,
    }).run();
    const row = {
      rate,
      requests: r.totalRequests,
      achieved: r.stats['achieved_request_rate'],
      lagP50ms: ms(r.stats['schedule_lag-p50']),
      lagP99ms: ms(r.stats['schedule_lag-p99']),
      ttftP50ms: ms(r.stats['time_to_first_token-p50']),
      ttftP99ms: ms(r.stats['time_to_first_token-p99']),
      failed: r.stats['failed_requests'],
    };
    rows.push(row);
    console.log(
      `lag at ${rate}/s (${row.requests} streams): achieved ${fmt(row.achieved, 1)}/s, lag p50 ${fmt(row.lagP50ms, 3)} ms p99 ${fmt(row.lagP99ms, 3)} ms, TTFT p50 ${fmt(row.ttftP50ms)} p99 ${fmt(row.ttftP99ms)} ms (emulator 50), failed ${row.failed}`,
    );
  }
  out.results.lag = rows;
  await emu.close();
}

// 4. Concurrent streams vs TTFT fidelity: client TTFT − emulator (first text delta − request received).
// Steady state, not a thundering herd: streams last D = 5 s (TTFT 1 s + 80 deltas × 50 ms) and arrive at N/D per
// second (Poisson), so about N are open at once; a warm-up of D seconds fills the pipe before measuring.
if (!only || only.has('ttft')) {
  const D = 5;
  const emu = await startEmulator({
    groundTruthLimit: 200_000,
    seed: 1,
    profile: { ttftMs: 1000, interTokenDelayMs: 50, outputTokens: 80 },
  });
  const streamPayload = [
    { messages: [{ role: 'user', content: [{ text: 'Tell me a long story.' }] }], inferenceConfig: { maxTokens: 80 } },
  ];
  const rows = [];
  for (const streams of quick ? [100] : [100, 250, 500, 1000, 2000]) {
    const rate = streams / D;
    const eld = monitorEventLoopDelay({ resolution: 1 });
    eld.enable();
    let gcMax = 0;
    let gcTotal = 0;
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gcMax = Math.max(gcMax, e.duration);
        gcTotal += e.duration;
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    // Only (id, TTFT) is kept, through a sink; lowMemory keeps the heap (and GC pauses) small.
    const ok = [];
    const r = await new Runner({
      endpoint: endpointFor(BedrockConverseStream, emu.url, streams * 2),
      payload: streamPayload,
      rate,
      arrivals: 'poisson',
      warmup: { seconds: quick ? 2 : D },
      runDuration: quick ? 2 : D,
      timeout: 120,
      lowMemory: true,
      sinks: [
        {
          onRecord(x) {
            if (x.error === null && x.timeToFirstToken !== null)
              ok.push({ id: x.id, timeToFirstToken: x.timeToFirstToken });
          },
        },
      ],
      handleSignals: false,
    }).run();
    eld.disable();
    gcObserver.disconnect();
    const truths = await emu.truths(ok.map((x) => x.id));
    const deltas = [];
    ok.forEach((x, i) => {
      const t = truths[i];
      if (t?.firstTextDeltaAt) deltas.push(x.timeToFirstToken * 1000 - (t.firstTextDeltaAt - t.receivedAt));
    });
    deltas.sort((a, b) => a - b);
    const q = (p) => deltas[Math.min(deltas.length - 1, Math.floor((deltas.length - 1) * p))] ?? null;
    const row = {
      streams,
      rate,
      measured: ok.length,
      failed: r.stats['failed_requests'],
      lagP99ms: ms(r.stats['schedule_lag-p99']),
      excessP50ms: q(0.5),
      excessP99ms: q(0.99),
      excessMaxms: q(1),
      eventLoopDelayP99ms: eld.percentile(99) / 1e6,
      eventLoopDelayMaxms: eld.max / 1e6,
      gcPauseMaxms: gcMax,
      gcTotalms: gcTotal,
    };
    rows.push(row);
    console.log(
      `~${streams} concurrent streams (${rate}/s × ${D} s): client TTFT − emulator TTFT p50 ${fmt(row.excessP50ms, 3)} ms, p99 ${fmt(row.excessP99ms, 3)} ms, max ${fmt(row.excessMaxms, 3)} ms; lag p99 ${fmt(row.lagP99ms, 3)} ms; event-loop delay p99 ${fmt(row.eventLoopDelayP99ms, 3)} ms max ${fmt(row.eventLoopDelayMaxms, 1)} ms; GC pause max ${fmt(row.gcPauseMaxms, 1)} ms (${row.measured} streams, failed ${row.failed})`,
    );
  }
  out.results.ttft = rows;
  await emu.close();
}

// 5. Peak memory of low-memory runs (a child process each, run folder written to a temp dir).
if (!only || only.has('memory')) {
  const rows = [];
  for (const n of quick ? [100_000] : [100_000, 1_000_000]) {
    const dir = mkdtempSync(join(tmpdir(), 'llmeter-mem-'));
    try {
      const text = execFileSync(process.execPath, [join(root, 'bench/runner-memory-child.mjs'), String(n), dir], {
        encoding: 'utf8',
      });
      const row = JSON.parse(text.trim().split('\n').pop());
      rows.push(row);
      console.log(
        `low-memory run of ${row.requests} requests: ${fmt(row.seconds, 1)} s, peak RSS ${fmt(row.maxRssMB, 0)} MB, peak heap ${fmt(row.peakHeapMB, 0)} MB`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  out.results.memory = rows;
}

if (args.json) writeFileSync(args.json, `${JSON.stringify(out, null, 2)}\n`);
