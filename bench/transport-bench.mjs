// Exact timing under load: the bare AWS SDK loop vs our endpoints on the SDK and on the lean transport.
// Usage: node bench/transport-bench.mjs [--no-build] [--quick] [--only a,b] [--phases rps,chunks,ttft]
//          [--streams 50,200,1000] [--inter-token-ms 10] [--json out.json]
// Builds core, bedrock-emulator and bedrock (tsc) unless --no-build; runs the emulator in a child process.
// See bench/README.md ("Exact timing under load") for what each number means.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { closedLoop, cpuMs, quantile, round, sleep, startEmulator } from './bench-support.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = fileURLToPath(new URL('..', import.meta.url));

/** A Converse record as a bench sample. */
const converseSample = (r) => ({ id: r.id, error: r.error });
const ms = (seconds) => (seconds === null ? null : seconds * 1000);
/** A ConverseStream record as a bench sample (milliseconds). */
const streamSample = (r) => ({
  id: r.id,
  ttftMs: ms(r.timeToFirstToken),
  chunks: r.chunkTimes?.length ?? 0,
  error: r.error,
  sentMs: ms(r.timeToRequestSent),
  headersMs: ms(r.timeToResponseHeaders),
});
const { values: args } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    quick: { type: 'boolean' },
    only: { type: 'string' },
    phases: { type: 'string' },
    // TTFT phase: ms between text deltas (default 10: 240 ms streams) and the concurrent-stream levels.
    'inter-token-ms': { type: 'string' },
    streams: { type: 'string' },
    json: { type: 'string' },
  },
});
if (!args['no-build']) {
  for (const pkg of ['core', 'bedrock-emulator', 'bedrock', 'runner']) {
    execFileSync('npx', ['tsc', '-p', `packages/${pkg}/tsconfig.build.json`], { cwd: root, stdio: 'inherit' });
  }
}

// The SDK as @llmeter/bedrock's dist resolves it (Node picks its CommonJS build): the very module instances it uses.
const requireFromBedrock = createRequire(`${root}packages/bedrock/package.json`);
const { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } = requireFromBedrock(
  '@aws-sdk/client-bedrock-runtime',
);
const { NodeHttpHandler } = requireFromBedrock('@smithy/node-http-handler');
const { LeanBedrockClient } = await import('../packages/bedrock/dist/lean/lean-bedrock-client.js');
const bedrock = await import('../packages/bedrock/dist/index.js');
const { WorkerPool } = await import('../packages/runner/dist/index.js');
const WORKER_SETUP = new URL('./transport-worker-setup.mjs', import.meta.url);

const QUICK = Boolean(args.quick);
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' };
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const INPUT = { modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hello, how are you today?' }] }] };
const MAX_SOCKETS = 4096;

// ---------------------------------------------------------------------------------------------------------------
// Variants: each returns { converse(), stream(), close() }; stream() resolves { id, ttftMs, chunks, error }.
function sdkClient(url) {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }) }),
  });
}
function leanClient(url) {
  return new LeanBedrockClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    maxSockets: MAX_SOCKETS,
  });
}

function bareLoop(client) {
  return {
    async converse() {
      try {
        const out = await client.send(new ConverseCommand(INPUT));
        return { id: out.$metadata.requestId, error: null };
      } catch (error) {
        return { id: null, error: String(error) };
      }
    },
    async stream() {
      const start = performance.now();
      let ttftMs = null;
      let chunks = 0;
      let id = null;
      try {
        const out = await client.send(new ConverseStreamCommand(INPUT));
        id = out.$metadata.requestId;
        for await (const event of out.stream) {
          chunks++;
          if (ttftMs === null && event.contentBlockDelta?.delta?.text) ttftMs = performance.now() - start;
        }
        return { id, ttftMs, chunks, error: null };
      } catch (error) {
        return { id, ttftMs, chunks, error: String(error) };
      }
    },
    close: () => client.destroy(),
  };
}

function endpointLoop(url, transport) {
  const options = {
    modelId: MODEL,
    region: 'us-east-1',
    endpointUrl: url,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    maxConcurrency: MAX_SOCKETS,
    transport,
  };
  const conv = new bedrock.BedrockConverse(options);
  const str = new bedrock.BedrockConverseStream(options);
  const payload = { messages: INPUT.messages };
  return {
    converse: async () => converseSample(await conv.invoke(payload)),
    stream: async () => streamSample(await str.invoke(payload)),
    close: () => {
      conv.client.destroy();
      str.client.destroy();
    },
  };
}

/** Our endpoint on the lean transport in `n` worker threads (WorkerPool): records measured in the workers. */
async function workersLoop(url, n) {
  const options = {
    modelId: MODEL,
    region: 'us-east-1',
    endpointUrl: url,
    maxAttempts: 1,
    maxConcurrency: MAX_SOCKETS,
    transport: 'lean',
  };
  const conv = await WorkerPool.start(new bedrock.BedrockConverse(options), { workers: n, setup: WORKER_SETUP });
  const str = await WorkerPool.start(new bedrock.BedrockConverseStream(options), { workers: n, setup: WORKER_SETUP });
  const payload = { messages: INPUT.messages };
  return {
    converse: async () => converseSample(await conv.invoke(payload)),
    stream: async () => streamSample(await str.invoke(payload)),
    close: () => Promise.all([conv.close(), str.close()]),
  };
}

/**
 * The floor: a plain keep-alive `node:http` POST (no signing, no decoding) counting response chunks; TTFT = the
 * first bytes holding a content delta. What any Node HTTP/1.1 client pays before doing anything with the bytes.
 */
function httpFloor(url) {
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const u = new URL(url);
  const body = JSON.stringify({ messages: INPUT.messages });
  const post = (path) =>
    new Promise((resolve) => {
      const start = performance.now();
      let first = null;
      let chunks = 0;
      const req = httpRequest(
        {
          host: u.hostname,
          port: u.port,
          method: 'POST',
          path,
          agent,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          res.on('data', (chunk) => {
            chunks++;
            if (first === null && chunk.includes('contentBlockDelta')) first = performance.now() - start;
          });
          res.on('end', () => resolve({ id: res.headers['x-amzn-requestid'], ttftMs: first, chunks, error: null }));
          res.on('error', (e) => resolve({ id: null, error: String(e) }));
        },
      );
      req.on('error', (e) => resolve({ id: null, error: String(e) }));
      req.end(body);
    });
  const model = encodeURIComponent(MODEL);
  return {
    converse: () => post(`/model/${model}/converse`),
    stream: () => post(`/model/${model}/converse-stream`),
    close: () => agent.destroy(),
  };
}

/** The same floor on undici's `Pool#dispatch` with a raw callback handler (the lean transport's HTTP layer). */
function undiciFloor(url) {
  const { Pool } = requireFromBedrock('undici');
  const pool = new Pool(url, { connections: MAX_SOCKETS, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
  const body = JSON.stringify({ messages: INPUT.messages });
  const post = (path) =>
    new Promise((resolve) => {
      const start = performance.now();
      let first = null;
      let chunks = 0;
      let id = null;
      pool.dispatch(
        { method: 'POST', path, headers: { 'content-type': 'application/json' }, body },
        {
          onConnect() {},
          onHeaders(_status, raw) {
            for (let i = 0; i < raw.length; i += 2) {
              if (raw[i].toString('latin1').toLowerCase() === 'x-amzn-requestid') id = raw[i + 1].toString('latin1');
            }
            return true;
          },
          onData(chunk) {
            chunks++;
            if (first === null && chunk.includes('contentBlockDelta')) first = performance.now() - start;
            return true;
          },
          onComplete: () => resolve({ id, ttftMs: first, chunks, error: null }),
          onError: (e) => resolve({ id: null, error: String(e) }),
        },
      );
    });
  const model = encodeURIComponent(MODEL);
  return {
    converse: () => post(`/model/${model}/converse`),
    stream: () => post(`/model/${model}/converse-stream`),
    close: () => pool.destroy(),
  };
}

const VARIANTS = {
  'http-floor': { label: 'plain node:http, no signing or decoding (floor)', make: (url) => httpFloor(url) },
  'undici-floor': { label: 'plain undici Pool#dispatch, no signing or decoding', make: (url) => undiciFloor(url) },
  'sdk-bare': { label: 'bare AWS SDK loop', make: (url) => bareLoop(sdkClient(url)) },
  'sdk-endpoint': { label: 'our endpoint, SDK transport', make: (url) => endpointLoop(url, 'sdk') },
  'lean-endpoint': { label: 'our endpoint, lean transport', make: (url) => endpointLoop(url, 'lean') },
  'lean-bare': { label: 'bare lean client loop', make: (url) => bareLoop(leanClient(url)) },
  'lean-workers-1': { label: 'our endpoint, lean transport, 1 worker thread', make: (url) => workersLoop(url, 1) },
  'lean-workers-2': { label: 'our endpoint, lean transport, 2 worker threads', make: (url) => workersLoop(url, 2) },
};
const variantNames = (args.only ? args.only.split(',') : Object.keys(VARIANTS)).filter((v) => VARIANTS[v]);

// ---------------------------------------------------------------------------------------------------------------
/** Nanoseconds this process's main thread spent waiting for a CPU while runnable (Linux schedstat), or null. */
function runqueueWaitNs() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]);
  } catch {
    return null;
  }
}

/**
 * Open loop: starts `rate` streams per second on schedule (whatever the client's backlog) for warmup + measure.
 * Past `maxInFlight` (an overloaded client) arrivals are skipped and counted, so that the run stays bounded.
 */
async function openLoop(fn, rate, warmupMs, measureMs, maxInFlight) {
  let skipped = 0;
  const results = [];
  const inflight = new Set();
  let maxInflight = 0;
  let lagSum = 0;
  let lagMax = 0;
  const t0 = performance.now();
  const total = warmupMs + measureMs;
  let launched = 0;
  let cpu0 = null;
  let tCpu = 0;
  while (true) {
    const now = performance.now() - t0;
    if (cpu0 === null && now >= warmupMs) {
      cpu0 = process.cpuUsage();
      tCpu = performance.now();
    }
    if (now >= total) break;
    const due = Math.floor((now / 1000) * rate);
    while (launched < due) {
      const intended = (launched / rate) * 1000;
      const measured = intended >= warmupMs;
      if (inflight.size >= maxInFlight) {
        if (measured) skipped++;
        launched++;
        continue;
      }
      const lag = now - intended;
      if (measured) {
        lagSum += lag;
        lagMax = Math.max(lagMax, lag);
      }
      const p = fn().then((r) => {
        inflight.delete(p);
        if (measured) results.push(r);
      });
      inflight.add(p);
      maxInflight = Math.max(maxInflight, inflight.size);
      launched++;
    }
    await sleep(1);
  }
  const cpu = cpuMs(process.cpuUsage(cpu0));
  const wall = performance.now() - tCpu;
  // Drain what is still in flight (bounded).
  await Promise.race([Promise.all(inflight), sleep(15_000)]);
  return {
    results,
    skipped,
    maxInflight,
    cpuUtil: cpu / wall,
    lagMeanMs: lagSum / Math.max(1, results.length),
    lagMaxMs: lagMax,
  };
}

// ---------------------------------------------------------------------------------------------------------------
const report = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAvgAtStart: loadavg() },
  phases: {},
};
const phases = (args.phases ?? 'rps,chunks,ttft').split(',');

// Phase 1: Converse requests/s and CPU per request (closed loop, 64 in flight, no server latency).
if (phases.includes('rps')) {
  const emu = await startEmulator({ seed: 1, profile: { ttftMs: 0, interTokenDelayMs: 0, outputTokens: 10 } });
  report.phases.rps = {};
  const best = {};
  for (const name of [...variantNames, ...[...variantNames].reverse()]) {
    const v = await VARIANTS[name].make(emu.url);
    const load0 = loadavg()[0];
    const r = await closedLoop(() => v.converse(), 64, QUICK ? 300 : 1000, QUICK ? 1500 : 4000);
    await v.close();
    const row = {
      requestsPerSecond: round(r.done / (r.wallMs / 1000), 0),
      cpuPerRequestUs: round((r.cpuMs * 1000) / r.done, 1),
      errors: r.errors,
      loadAvg1m: [round(load0), round(loadavg()[0])],
    };
    console.log('rps pass', name, row);
    if (!best[name] || row.cpuPerRequestUs < best[name].cpuPerRequestUs) best[name] = row;
  }
  for (const name of variantNames) {
    report.phases.rps[name] = best[name];
    console.log('rps', name, best[name]);
  }
  await emu.close();
}

// Phase 2: CPU per streaming request and per chunk: streams of 20 and of 200 text deltas (1 ms apart), closed loop.
if (phases.includes('chunks')) {
  report.phases.chunks = {};
  const perConfig = {};
  for (const deltas of [20, 200]) {
    const emu = await startEmulator({ seed: 1, profile: { ttftMs: 1, interTokenDelayMs: 1, outputTokens: deltas } });
    for (const name of [...variantNames, ...[...variantNames].reverse()]) {
      const v = await VARIANTS[name].make(emu.url);
      const r = await closedLoop(() => v.stream(), 32, QUICK ? 300 : 800, QUICK ? 1500 : 3000);
      await v.close();
      perConfig[name] ??= {};
      const row = { cpuPerStreamUs: (r.cpuMs * 1000) / r.done, chunksPerStream: r.chunks / r.done, errors: r.errors };
      const prev = perConfig[name][deltas];
      if (!prev || row.cpuPerStreamUs < prev.cpuPerStreamUs) perConfig[name][deltas] = row;
    }
    await emu.close();
  }
  for (const name of variantNames) {
    const a = perConfig[name][20];
    const b = perConfig[name][200];
    const perChunk = (b.cpuPerStreamUs - a.cpuPerStreamUs) / (b.chunksPerStream - a.chunksPerStream);
    const row = {
      cpuPerStreamUs_20deltas: round(a.cpuPerStreamUs, 0),
      cpuPerStreamUs_200deltas: round(b.cpuPerStreamUs, 0),
      cpuPerChunkUs: round(perChunk, 2),
      cpuPerStreamExcludingChunksUs: round(a.cpuPerStreamUs - perChunk * a.chunksPerStream, 0),
      errors: a.errors + b.errors,
    };
    report.phases.chunks[name] = row;
    console.log('chunks', name, row);
  }
}

// Phase 3: TTFT error (client TTFT − emulator ground truth) at 50, 200 and 1,000 concurrent streams, open loop.
// Streams: first text delta 50 ms after arrival, then 19 more every 10 ms (240 ms; --inter-token-ms changes the 10),
// so rate = streams / 0.24 s.
if (phases.includes('ttft')) {
  report.phases.ttft = {};
  const interTokenDelayMs = Number(args['inter-token-ms'] ?? 10);
  const profile = { ttftMs: 50, interTokenDelayMs, outputTokens: 20 };
  // A stream lives from arrival to its last delta: 50 ms + 19 inter-token delays (240 ms by default).
  const lifeS = (50 + 19 * interTokenDelayMs) / 1000;
  const levels = (args.streams ?? '50,200,1000').split(',').map(Number);
  report.phases.ttftProfile = { ...profile, streamLifeMs: lifeS * 1000 };
  for (const streams of levels) {
    const rate = streams / lifeS;
    for (const name of variantNames) {
      const emu = await startEmulator({ seed: 1, profile });
      const v = await VARIANTS[name].make(emu.url);
      const ecpu0 = await emu.cpu();
      const et0 = performance.now();
      const load0 = loadavg()[0];
      const wait0 = runqueueWaitNs();
      const loopDelay = monitorEventLoopDelay({ resolution: 1 });
      loopDelay.enable();
      // Warm up at least one stream life, so that the target concurrency is reached before measuring.
      const warmupMs = Math.max(QUICK ? 500 : 1500, lifeS * 1000 + 500);
      const r = await openLoop(() => v.stream(), rate, warmupMs, QUICK ? 2000 : 5000, streams * 4);
      const ecpu1 = await emu.cpu();
      const et1 = performance.now();
      loopDelay.disable();
      const wait1 = runqueueWaitNs();
      await v.close();
      const ok = r.results.filter((x) => !x.error && x.id && x.ttftMs !== null);
      const truths = await emu.truths(ok.map((x) => x.id));
      const errs = [];
      const sendMs = [];
      // The error less the client's time to request sent: what the response side (socket → record) adds.
      const afterSent = [];
      for (let i = 0; i < ok.length; i++) {
        const t = truths[i];
        if (!t || t.firstTextDeltaAt === null) continue;
        const err = ok[i].ttftMs - (t.firstTextDeltaAt - t.receivedAt);
        errs.push(err);
        if (ok[i].sentMs != null) {
          sendMs.push(ok[i].sentMs);
          afterSent.push(err - ok[i].sentMs);
        }
      }
      errs.sort((a, b) => a - b);
      sendMs.sort((a, b) => a - b);
      afterSent.sort((a, b) => a - b);
      await emu.close();
      const row = {
        ratePerSecond: round(rate, 0),
        measured: errs.length,
        failed: r.results.length - ok.length,
        skippedOverload: r.skipped,
        maxInFlight: r.maxInflight,
        ttftErrorP50Ms: round(quantile(errs, 0.5)),
        ttftErrorP99Ms: round(quantile(errs, 0.99)),
        ttftErrorMaxMs: round(errs.at(-1)),
        timeToRequestSentP99Ms: sendMs.length ? round(quantile(sendMs, 0.99)) : null,
        ttftErrorAfterSentP50P99Ms: afterSent.length
          ? [round(quantile(afterSent, 0.5)), round(quantile(afterSent, 0.99))]
          : null,
        clientCpuUtil: round(r.cpuUtil),
        emulatorCpuUtil: round((cpuMs(ecpu1) - cpuMs(ecpu0)) / (et1 - et0)),
        scheduleLagMeanMs: round(r.lagMeanMs),
        eventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6),
        mainThreadRunqueueWaitShare: wait0 === null ? null : round((wait1 - wait0) / 1e6 / (et1 - et0), 3),
        loadAvg1m: [round(load0), round(loadavg()[0])],
      };
      report.phases.ttft[`${streams}:${name}`] = row;
      console.log('ttft', streams, name, row);
    }
  }
}

if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
