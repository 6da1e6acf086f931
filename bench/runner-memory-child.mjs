// One low-memory run of N requests against NullEndpoint, writing its run folder; prints peak memory as JSON.
// Usage: node bench/runner-memory-child.mjs <requests> <outputPath>
import { Runner } from '../packages/runner/dist/index.js';
import { NullEndpoint } from './runner-null-endpoint.mjs';

const n = Number(process.argv[2]);
const outputPath = process.argv[3];
const clients = 50;
let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const timer = setInterval(sample, 100);
const t0 = performance.now();
const result = await new Runner({
  endpoint: new NullEndpoint(),
  payload: [{ prompt: 'a short prompt' }, { prompt: 'another one' }],
  clients,
  nRequests: Math.ceil(n / clients),
  lowMemory: true,
  outputPath,
  runName: `mem-${n}`,
  handleSignals: false,
}).run();
clearInterval(timer);
sample();
process.stdout.write(
  `${JSON.stringify({
    requests: result.totalRequests,
    seconds: (performance.now() - t0) / 1000,
    peakRssMB: peakRss / 2 ** 20,
    peakHeapMB: peakHeap / 2 ** 20,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
