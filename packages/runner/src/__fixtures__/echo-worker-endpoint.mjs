// A worker setup module for the worker-pool tests: rebuilds an "Echo" endpoint from its JSON form. Plain JS (a
// worker thread runs it without the test transform); `invoke` resolves with a plain object of record fields.
import { threadId } from 'node:worker_threads';

export function createEndpoint(json) {
  if (json.endpoint_type !== 'Echo') throw new Error(`unexpected endpoint_type ${json.endpoint_type}`);
  return {
    async invoke(payload, { signal } = {}) {
      const start = performance.now();
      const aborted = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), payload.delayMs ?? 0);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (payload.throws) throw new Error('boom');
      const seconds = (performance.now() - start) / 1000;
      const base = { id: `echo-${payload.n}`, requestTime: new Date(0), inputPayload: payload, extra: { threadId } };
      if (aborted) return { ...base, error: 'aborted', errorType: 'aborted' };
      return {
        ...base,
        responseText: `${String(payload.text).toUpperCase()}${json.suffix}`,
        timeToFirstToken: seconds / 2,
        timeToLastToken: seconds,
        numTokensOutput: 3,
        chunkTimes: [seconds / 2, seconds],
      };
    },
  };
}
