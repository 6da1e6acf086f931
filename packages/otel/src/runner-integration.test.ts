// The two runner ways in, fed by the real Runner (not a hand-written imitation of it): `otelCallbacks` as run
// callbacks and `OtelRecordSink` as a record sink.
import { Runner } from '@llmeter/runner';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_KEYS, METRIC_NAMES } from './genai-metrics.js';
import { OtelRecordSink } from './otel-record-sink.js';
import { otelCallbacks } from './runner-callbacks.js';
import { FakeStreamEndpoint } from './test-support/fake-endpoint.js';
import { histogramPoints, testProvider } from './test-support/metric-reader.js';

const OUTCOME = { ttft: 0.2, ttlt: 0.6, chunkTimes: [0.2, 0.4, 0.6], tokensIn: 3, tokensOut: 5 };

describe('with the real Runner', () => {
  it('otelCallbacks and OtelRecordSink record every measured request (warm-ups left out), labelled', async () => {
    const viaCallbacks = testProvider();
    const viaSink = testProvider();
    const endpoint = new FakeStreamEndpoint(OUTCOME, 'model-under-test');
    const result = await new Runner({
      endpoint,
      payload: [{ prompt: 'a' }, { prompt: 'b' }],
      clients: 2,
      nRequests: 3,
      warmup: 2,
      handleSignals: false,
      callbacks: [otelCallbacks({ meterProvider: viaCallbacks.provider })],
      sinks: [new OtelRecordSink({ meterProvider: viaSink.provider })],
    }).run();
    expect(result.totalRequests).toBe(6);
    expect(endpoint.calls).toBe(8); // 2 warm-ups + 6 measured

    for (const { reader } of [viaCallbacks, viaSink]) {
      const all = await reader.metrics();
      const requests = all.get(METRIC_NAMES.requests)!.dataPoints;
      expect(requests.map((p) => [p.attributes[ATTRIBUTE_KEYS.requestModel], p.value])).toEqual([
        ['model-under-test', 6],
      ]);
      const ttfc = histogramPoints(all.get(METRIC_NAMES.timeToFirstChunk));
      expect(ttfc[0]!.value.count).toBe(6);
      expect(ttfc[0]!.attributes[ATTRIBUTE_KEYS.providerName]).toBe('aws.bedrock');
    }
  });
});
