// The Bedrock emulator in its own process for the benchmarks (so that its CPU never delays the client's).
// argv[2]: the emulator options as JSON (groundTruthLimit 2,000,000 unless given). Prints nothing; talks over the
// fork IPC channel:
//   → { url } when listening; ← { type: 'truths', ids } → { type: 'truths', truths }; ← { type: 'cpu' } → { cpu };
//   ← { type: 'close' } closes and exits.
import { startBedrockEmulator } from '../packages/bedrock-emulator/dist/index.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const emulator = await startBedrockEmulator({ groundTruthLimit: 2_000_000, ...options });
process.send({ url: emulator.url });
process.on('message', async (msg) => {
  if (msg.type === 'truths') {
    const truths = msg.ids.map((id) => {
      const t = emulator.groundTruth(id);
      return t ? { receivedAt: t.receivedAt, firstTextDeltaAt: t.firstTextDeltaAt ?? null } : null;
    });
    process.send({ type: 'truths', truths });
  } else if (msg.type === 'cpu') {
    process.send({ type: 'cpu', cpu: process.cpuUsage(), requests: emulator.requestCount });
  } else if (msg.type === 'close') {
    await emulator.close();
    process.exit(0);
  }
});
