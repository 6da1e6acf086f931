// Measures the Bedrock emulator itself: how many concurrent streams it paces on time, and at what CPU cost.
// Usage: node bench/emulator-bench.mjs [--no-build] [--streams 250,1000,2000] [--json out.json]
// The emulator runs in a child process (this file with --child) so the client's CPU never delays its writes; the
// client is plain node:http (no SDK) reading every stream to the end. Reported per level:
//   - write lateness: the emulator's own ground truth (firstTextDeltaAt, lastByteAt) minus the planned instants
//     (receivedAt + TTFT, receivedAt + TTFT + (deltas − 1) × inter-token delay), p50/p99/max in ms;
//   - the emulator's CPU time per stream and per delta, and its share of one core over the run.
import { execFileSync, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const TTFT = 200;
const ITD = 10;
const TOKENS = 50;

if (process.argv[2] === '--child') {
  const { startBedrockEmulator } = await import('../packages/bedrock-emulator/dist/index.js');
  const emulator = await startBedrockEmulator({
    groundTruthLimit: 1_000_000,
    profile: { ttftMs: TTFT, interTokenDelayMs: ITD, outputTokens: TOKENS },
  });
  process.send({ url: emulator.url });
  process.on('message', async (msg) => {
    if (msg.type === 'cpu') process.send({ type: 'cpu', cpu: process.cpuUsage() });
    else if (msg.type === 'truths') {
      process.send({
        type: 'truths',
        truths: msg.ids.map((id) => {
          const t = emulator.groundTruth(id);
          return t && { receivedAt: t.receivedAt, first: t.firstTextDeltaAt, last: t.lastByteAt, deltas: t.deltas };
        }),
      });
    } else if (msg.type === 'close') {
      await emulator.close();
      process.exit(0);
    }
  });
} else {
  const { values: args } = parseArgs({
    options: { 'no-build': { type: 'boolean' }, streams: { type: 'string' }, json: { type: 'string' } },
  });
  if (!args['no-build']) {
    execFileSync('npx', ['tsc', '-p', 'packages/bedrock-emulator/tsconfig.build.json'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  const levels = (args.streams ?? '250,1000,2000').split(',').map(Number);
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: 'inherit' });
  const ask = (msg) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send(msg);
    });
  const { url } = await new Promise((resolve) => child.once('message', resolve));
  const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
  const q = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const results = [];
  console.log(
    `machine: ${cpus()[0]?.model} x${cpus().length}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2))}`,
  );
  for (const n of levels) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: n });
    const cpu0 = (await ask({ type: 'cpu' })).cpu;
    const t0 = performance.now();
    const ids = await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise((resolve, reject) => {
            const req = http.request(`${url}/model/bench/converse-stream`, { method: 'POST', agent }, (res) => {
              res.on('data', () => {});
              res.on('end', () => resolve(res.headers['x-amzn-requestid']));
            });
            req.on('error', reject);
            req.end(body);
          }),
      ),
    );
    const wallMs = performance.now() - t0;
    const cpu1 = (await ask({ type: 'cpu' })).cpu;
    const { truths } = await ask({ type: 'truths', ids });
    agent.destroy();
    const firstLate = truths.map((t) => t.first - t.receivedAt - TTFT).sort((a, b) => a - b);
    const lastLate = truths.map((t) => t.last - t.receivedAt - TTFT - (t.deltas - 1) * ITD).sort((a, b) => a - b);
    const cpuMs = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000;
    const row = {
      streams: n,
      wallMs,
      firstLateMs: { p50: q(firstLate, 0.5), p99: q(firstLate, 0.99), max: firstLate.at(-1) },
      lastLateMs: { p50: q(lastLate, 0.5), p99: q(lastLate, 0.99), max: lastLate.at(-1) },
      emulatorCpuMsPerStream: cpuMs / n,
      emulatorCpuUsPerDelta: (cpuMs * 1000) / (n * TOKENS),
      emulatorCoreShare: cpuMs / wallMs,
    };
    results.push(row);
    const f = (x) => x.toFixed(2);
    console.log(
      `${n} concurrent streams (TTFT ${TTFT} ms, ${TOKENS} deltas ${ITD} ms apart): first-delta lateness p50 ${f(row.firstLateMs.p50)} p99 ${f(row.firstLateMs.p99)} max ${f(row.firstLateMs.max)} ms; last-byte lateness p50 ${f(row.lastLateMs.p50)} p99 ${f(row.lastLateMs.p99)} max ${f(row.lastLateMs.max)} ms; emulator CPU ${f(row.emulatorCpuMsPerStream)} ms/stream, ${f(row.emulatorCpuUsPerDelta)} µs/delta, ${f(100 * row.emulatorCoreShare)}% of a core over ${f(wallMs)} ms`,
    );
  }
  await ask({ type: 'close' }).catch(() => {});
  child.kill();
  if (args.json) writeFileSync(args.json, `${JSON.stringify({ results }, null, 2)}\n`);
}
