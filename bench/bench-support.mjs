// What the benchmarks share: the emulator child (bench/emulator-child.mjs) and the closed-loop measuring code.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Starts the Bedrock emulator in a child process (so that its CPU never delays the client's); resolves
 * { url, truths(ids), cpu(), close() } once it listens. Options as `startBedrockEmulator`'s.
 */
export async function startEmulator(options) {
  const child = fork(fileURLToPath(new URL('./emulator-child.mjs', import.meta.url)), [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Node flags given to the bench (--trace-gc, --cpu-prof, --max-semi-space-size, …) apply to the client only.
    execArgv: [],
  });
  const url = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`emulator child exited with ${code}`)));
  });
  const ask = (msg, type) =>
    new Promise((resolve) => {
      const on = (m) => {
        if (m.type === type) {
          child.off('message', on);
          resolve(m);
        }
      };
      child.on('message', on);
      child.send(msg);
    });
  return {
    url,
    truths: async (ids) => (await ask({ type: 'truths', ids }, 'truths')).truths,
    cpu: async () => (await ask({ type: 'cpu' }, 'cpu')).cpu,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.send({ type: 'close' });
      }),
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Milliseconds of CPU in a `process.cpuUsage()` reading. */
export const cpuMs = (c) => (c.user + c.system) / 1000;
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}
export const round = (x, d = 2) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);

/** Closed loop: `concurrency` callers back to back for warmup + duration; counts what completes in the window. */
export async function closedLoop(fn, concurrency, warmupMs, durationMs) {
  let measuring = false;
  let stop = false;
  let done = 0;
  let errors = 0;
  let chunks = 0;
  const worker = async () => {
    while (!stop) {
      const r = await fn();
      if (measuring) {
        done++;
        if (r.error) errors++;
        chunks += r.chunks ?? 0;
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await sleep(warmupMs);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  measuring = true;
  await sleep(durationMs);
  measuring = false;
  const cpu = cpuMs(process.cpuUsage(cpu0));
  const wall = performance.now() - t0;
  stop = true;
  await Promise.all(workers);
  return { done, errors, chunks, wallMs: wall, cpuMs: cpu };
}
