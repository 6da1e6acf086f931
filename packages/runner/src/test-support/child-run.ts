// A run in a child process, for the signal tests: `node --import tsx child-run.ts <outputPath> <runName> [stall]`.
// Prints `ready` once 20 records are written (with `stall`: once 20 requests that never answer are sent), and
// `result <json>` when the run ends.
import { Runner } from '../runner.js';
import { FakeEndpoint } from './fake-endpoint.js';

const [outputPath, runName, mode] = process.argv.slice(2) as [string, string, string | undefined];
const stall = mode === 'stall';
let done = 0;
let sent = 0;
const runner = new Runner({
  endpoint: new FakeEndpoint(stall ? { stall: true } : { ttftMs: 20, chunks: 2, gapMs: 5 }),
  payload: [{ prompt: 'a' }, { prompt: 'b' }],
  rate: 200,
  nRequests: 100_000,
  outputPath,
  runName,
  ...(stall
    ? {
        callbacks: {
          beforeInvoke() {
            if (++sent === 20) process.stdout.write('ready\n');
          },
        },
      }
    : {}),
  sinks: [
    {
      onRecord() {
        if (!stall && ++done === 20) process.stdout.write('ready\n');
      },
    },
  ],
});
const result = await runner.run();
process.stdout.write(
  `result ${JSON.stringify({ interrupted: result.interrupted, total: result.totalRequests, stats: result.stats })}\n`,
);
