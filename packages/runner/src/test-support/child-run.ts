// A run in a child process, for the signal tests: `node --import tsx child-run.ts <outputPath> <runName>`.
// Prints `ready` once 20 records are written, and `result <json>` when the run ends.
import { Runner } from '../runner.js';
import { FakeEndpoint } from './fake-endpoint.js';

const [outputPath, runName] = process.argv.slice(2) as [string, string];
let done = 0;
const runner = new Runner({
  endpoint: new FakeEndpoint({ ttftMs: 20, chunks: 2, gapMs: 5 }),
  payload: [{ prompt: 'a' }, { prompt: 'b' }],
  rate: 200,
  nRequests: 100_000,
  outputPath,
  runName,
  sinks: [
    {
      onRecord() {
        if (++done === 20) process.stdout.write('ready\n');
      },
    },
  ],
});
const result = await runner.run();
process.stdout.write(
  `result ${JSON.stringify({ interrupted: result.interrupted, total: result.totalRequests, stats: result.stats })}\n`,
);
