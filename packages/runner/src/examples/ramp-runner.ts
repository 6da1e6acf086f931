import type { Endpoint, Payload } from '@llmeter/core';
import { ConcurrencyLimiter, RunFolderWriter, rampSchedule, StatsAccumulator, sleepUntil } from '@llmeter/runner';

/** Ramps from 1 to 50 requests/s over `seconds`, writing an LLMeter run folder; returns its statistics. */
export async function rampRun(endpoint: Endpoint, payload: Payload, folder: string, seconds = 60) {
  const writer = new RunFolderWriter({ path: folder });
  const stats = new StatsAccumulator();
  const limiter = new ConcurrencyLimiter(200);
  await writer.onRunStart({ startTime: new Date(), config: { endpoint: endpoint.toJSON(), ramp: [1, 50, seconds] } });
  const t0 = performance.now();
  for await (const at of rampSchedule({ from: 1, to: 50, duration: seconds })) {
    await sleepUntil(t0 + at * 1000);
    await limiter.acquire();
    const sentAt = performance.now();
    endpoint.invoke(payload, { timeoutMs: 30_000 }).then((record) => {
      record.scheduleLag = (sentAt - (t0 + at * 1000)) / 1000;
      stats.add(record);
      writer.onRecord(record);
      limiter.release();
    });
  }
  await limiter.idle();
  await writer.onRunEnd({ endTime: new Date(), stats: stats.result() });
  return stats.result();
}
