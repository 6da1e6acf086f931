import { InvocationResponse } from '@llmeter/core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain-JS fixture (worker threads load it without the test transform).
import { createEndpoint } from './__fixtures__/echo-worker-endpoint.mjs';
import { Runner } from './runner.js';
import { resolveWorkers, WorkerPool } from './worker-pool.js';

const SETUP = new URL('./__fixtures__/echo-worker-endpoint.mjs', import.meta.url);
const JSON_FORM = { endpoint_type: 'Echo', model_id: 'echo-1', endpoint_name: 'echo', provider: 'test', suffix: '!' };

/** The Echo endpoint in this thread: the single-threaded reference. */
function localEcho() {
  const inner = createEndpoint(JSON_FORM) as { invoke(p: unknown, o?: unknown): Promise<Record<string, unknown>> };
  return {
    modelId: 'echo-1',
    endpointName: 'echo',
    provider: 'test',
    toJSON: () => JSON_FORM,
    invoke: async (payload: unknown, options?: unknown) => new InvocationResponse(await inner.invoke(payload, options)),
  };
}

const payloads = Array.from({ length: 12 }, (_, n) => ({ n, text: `hello ${n}`, delayMs: 5 }));

function essentials(records: InvocationResponse[]) {
  return records
    .map((r) => ({
      id: r.id,
      text: r.responseText,
      tokens: r.numTokensOutput,
      error: r.error,
      chunks: r.chunkTimes?.length,
    }))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

describe('WorkerPool', () => {
  it('invokes in several threads and returns the records the endpoint measured there', async () => {
    const pool = await WorkerPool.start(localEcho() as never, { workers: 2, setup: SETUP });
    try {
      expect(pool.size).toBe(2);
      expect(pool.toJSON()).toEqual(JSON_FORM);
      const records = await Promise.all(payloads.map((p) => pool.invoke(p)));
      expect(records.every((r) => r instanceof InvocationResponse)).toBe(true);
      expect(records[0]?.responseText).toBe('HELLO 0!');
      expect(records[0]?.requestTime).toEqual(new Date(0));
      const threads = new Set(records.map((r) => (r.extra as { threadId: number }).threadId));
      expect(threads.size).toBe(2);
      expect(threads.has(0)).toBe(false);
    } finally {
      await pool.close();
    }
  });

  it('passes aborts to the worker, and turns a throwing endpoint into a failed record', async () => {
    const pool = await WorkerPool.start(localEcho() as never, { workers: 1, setup: SETUP });
    try {
      const controller = new AbortController();
      const t0 = performance.now();
      const pending = pool.invoke({ n: 1, text: 'x', delayMs: 5000 }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      const aborted = await pending;
      expect(aborted.errorType).toBe('aborted');
      expect(performance.now() - t0).toBeLessThan(4000);
      const failed = await pool.invoke({ n: 2, text: 'x', throws: true });
      expect(failed.error).toBe('endpoint threw in a worker: boom');
      expect(failed.errorType).toBe('unknown');
    } finally {
      await pool.close();
    }
    expect((await pool.invoke({ n: 3, text: 'late' })).error).toBe('the worker pool is closed');
  });

  it('rejects a setup module that cannot rebuild the endpoint', async () => {
    const bad = { ...localEcho(), toJSON: () => ({ ...JSON_FORM, endpoint_type: 'Nope' }) };
    await expect(WorkerPool.start(bad as never, { workers: 1, setup: SETUP })).rejects.toThrow(
      /unexpected endpoint_type Nope/,
    );
  });

  it('resolves auto to at least one thread and rejects nonsense', () => {
    expect(resolveWorkers('auto')).toBeGreaterThanOrEqual(1);
    expect(() => resolveWorkers(0)).toThrow(/positive integer or 'auto', got 0/);
  });
});

describe('Runner with workers', () => {
  it('gives the records and statistics of the single-threaded run', async () => {
    const options = { payload: payloads, clients: 4, nRequests: 3, handleSignals: false, seed: 5 } as const;
    const single = await new Runner({ ...options, endpoint: localEcho() as never }).run();
    const threaded = await new Runner({
      ...options,
      endpoint: localEcho() as never,
      workers: 2,
      workerSetup: SETUP,
    }).run();
    expect(threaded.responses).toHaveLength(12);
    expect(essentials(threaded.responses)).toEqual(essentials(single.responses));
    expect(threaded.stats['num_tokens_output-average']).toEqual(single.stats['num_tokens_output-average']);
    expect(threaded.stats['failed_requests']).toEqual(single.stats['failed_requests']);
  });

  it('requires workerSetup with workers', () => {
    expect(() => new Runner({ endpoint: localEcho() as never, payload: payloads, workers: 2 })).toThrow(
      /workers needs workerSetup/,
    );
  });
});
