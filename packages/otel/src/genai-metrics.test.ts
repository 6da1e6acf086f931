import { InvocationResponse } from '@llmeter/core';
import { metrics } from '@opentelemetry/api';
import { AggregationType, DataPointType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it, vi } from 'vitest';
import { FINE_SECONDS_BUCKETS, GENAI_DURATION_BUCKETS, GENAI_TOKEN_BUCKETS, TPOT_BUCKETS } from './buckets.js';
import { ATTRIBUTE_KEYS, GenAIMetrics, METRIC_NAMES } from './genai-metrics.js';
import { histogramPoints, testProvider } from './test-support/metric-reader.js';

const STREAM = { modelId: 'anthropic.claude-3-haiku', provider: 'bedrock', endpointType: 'BedrockConverseStream' };
const CONVERSE = { modelId: 'anthropic.claude-3-haiku', provider: 'bedrock', endpointType: 'BedrockConverse' };

function streamRecord(over: Partial<InvocationResponse> = {}): InvocationResponse {
  return new InvocationResponse({
    id: 'req-5f1c0e2a-unbounded',
    inputPrompt: 'PROMPT TEXT never an attribute',
    responseText: 'RESPONSE TEXT',
    timeToFirstToken: 0.25,
    timeToLastToken: 1.25,
    chunkTimes: [0.25, 0.5, 0.75, 1.25],
    numTokensInput: 12,
    numTokensOutput: 11,
    requestTime: new Date(),
    ...over,
  });
}

describe('GenAIMetrics', () => {
  it('records the streaming metrics with their names, units, buckets and attributes', async () => {
    const { provider, reader } = testProvider();
    const m = new GenAIMetrics({ meterProvider: provider });
    m.record(streamRecord({ scheduleLag: 0.002, timeToRequestSent: 0.003, timeToResponseHeaders: 0.2 }), STREAM);
    const all = await reader.metrics();

    const base = {
      [ATTRIBUTE_KEYS.operationName]: 'chat',
      [ATTRIBUTE_KEYS.providerName]: 'aws.bedrock',
      [ATTRIBUTE_KEYS.requestModel]: 'anthropic.claude-3-haiku',
    };
    const expectHistogram = (name: string, unit: string, buckets: readonly number[]) => {
      const metric = all.get(name);
      expect(metric, name).toBeDefined();
      expect(metric!.descriptor.unit).toBe(unit);
      expect(metric!.dataPointType).toBe(DataPointType.HISTOGRAM);
      const points = histogramPoints(metric);
      for (const p of points) expect(p.value.buckets.boundaries).toEqual([...buckets]);
      return points;
    };

    const duration = expectHistogram(METRIC_NAMES.operationDuration, 's', GENAI_DURATION_BUCKETS);
    expect(duration).toHaveLength(1);
    expect(duration[0]!.attributes).toEqual(base);
    expect(duration[0]!.value.sum).toBeCloseTo(1.25);

    const ttfc = expectHistogram(METRIC_NAMES.timeToFirstChunk, 's', GENAI_DURATION_BUCKETS);
    expect(ttfc[0]!.attributes).toEqual(base);
    expect(ttfc[0]!.value.count).toBe(1);
    expect(ttfc[0]!.value.sum).toBeCloseTo(0.25);

    // one observation per chunk gap after the first chunk: 0.25, 0.25, 0.5
    const tpoc = expectHistogram(METRIC_NAMES.timePerOutputChunk, 's', GENAI_DURATION_BUCKETS);
    expect(tpoc[0]!.value.count).toBe(3);
    expect(tpoc[0]!.value.sum).toBeCloseTo(1.0);
    expect(tpoc[0]!.value.max).toBeCloseTo(0.5);

    const tokens = expectHistogram(METRIC_NAMES.tokenUsage, '{token}', GENAI_TOKEN_BUCKETS);
    expect(tokens).toHaveLength(2);
    const byType = Object.fromEntries(tokens.map((p) => [p.attributes[ATTRIBUTE_KEYS.tokenType], p]));
    expect(byType['input']!.value.sum).toBe(12);
    expect(byType['output']!.value.sum).toBe(11);
    expect(byType['input']!.attributes).toEqual({ ...base, [ATTRIBUTE_KEYS.tokenType]: 'input' });

    // TPOT = (1.25 - 0.25) / (11 - 1)
    const tpot = expectHistogram(METRIC_NAMES.timePerOutputToken, 's', TPOT_BUCKETS);
    expect(tpot[0]!.value.sum).toBeCloseTo(0.1);

    const lag = histogramPoints(all.get(METRIC_NAMES.scheduleLag));
    expect(lag[0]!.value.sum).toBeCloseTo(0.002);

    // attribution: queueing in the client, then the server's time to first byte (0.2 - 0.003)
    const queue = histogramPoints(all.get(METRIC_NAMES.queueTime));
    expect(queue[0]!.value.sum).toBeCloseTo(0.003);
    expect(queue[0]!.attributes).toEqual(base);
    const server = expectHistogram(METRIC_NAMES.serverTimeToFirstByte, 's', GENAI_DURATION_BUCKETS);
    expect(server[0]!.value.sum).toBeCloseTo(0.197);

    const requests = all.get(METRIC_NAMES.requests)!;
    expect(requests.dataPointType).toBe(DataPointType.SUM);
    expect(requests.descriptor.unit).toBe('{request}');
    expect(requests.dataPoints).toHaveLength(1);
    expect(requests.dataPoints[0]!.value).toBe(1);
    expect(requests.dataPoints[0]!.attributes).toEqual(base);
  });

  it('records no streaming-only metric for a Converse call', async () => {
    const { provider, reader } = testProvider();
    const m = new GenAIMetrics({ meterProvider: provider });
    m.record(
      new InvocationResponse({ timeToFirstToken: 0.9, timeToLastToken: 0.9, numTokensInput: 5, numTokensOutput: 7 }),
      CONVERSE,
    );
    const all = await reader.metrics();
    expect(histogramPoints(all.get(METRIC_NAMES.operationDuration))[0]!.value.sum).toBeCloseTo(0.9);
    expect(all.get(METRIC_NAMES.tokenUsage)!.dataPoints).toHaveLength(2);
    for (const name of [METRIC_NAMES.timeToFirstChunk, METRIC_NAMES.timePerOutputChunk]) {
      expect(all.get(name)?.dataPoints ?? []).toHaveLength(0);
    }
  });

  it('decides streaming from chunkTimes when the endpoint type says nothing, and from the descriptor first', async () => {
    const { provider, reader } = testProvider();
    const m = new GenAIMetrics({ meterProvider: provider });
    m.record(streamRecord(), { modelId: 'a' });
    m.record(streamRecord(), { modelId: 'b', streaming: false });
    const ttfc = histogramPoints((await reader.metrics()).get(METRIC_NAMES.timeToFirstChunk));
    expect(ttfc.map((p) => p.attributes[ATTRIBUTE_KEYS.requestModel])).toEqual(['a']);
  });

  it('labels failures with error.type and counts requests by error type', async () => {
    const { provider, reader } = testProvider();
    const m = new GenAIMetrics({ meterProvider: provider });
    m.record(streamRecord(), STREAM);
    m.record(new InvocationResponse({ error: 'Too many requests', errorType: 'throttled', timeToError: 0.05 }), STREAM);
    m.record(new InvocationResponse({ error: 'Too many requests', errorType: 'throttled', timeToError: 0.07 }), STREAM);
    m.record(
      new InvocationResponse({
        error: 'stream broke',
        errorType: 'stream',
        timeToFirstToken: 0.3,
        chunkTimes: [0.3],
        timeToLastToken: 0.3,
        timeToError: 0.9,
      }),
      STREAM,
    );
    m.record(new InvocationResponse({ error: 'mystery' }), STREAM);
    const all = await reader.metrics();
    const requests = all.get(METRIC_NAMES.requests)!.dataPoints;
    const counts = Object.fromEntries(requests.map((p) => [String(p.attributes[ATTRIBUTE_KEYS.errorType]), p.value]));
    expect(counts).toEqual({ undefined: 1, throttled: 2, stream: 1, _OTHER: 1 });
    // a failure's duration is its time to error, labelled (semantic conventions: failed operations too);
    // a failed record with no timing at all (the last one) records none
    const duration = histogramPoints(all.get(METRIC_NAMES.operationDuration));
    const durations = Object.fromEntries(
      duration.map((p) => [String(p.attributes[ATTRIBUTE_KEYS.errorType]), [p.value.count, p.value.sum]]),
    );
    expect(Object.keys(durations).sort()).toEqual(['stream', 'throttled', 'undefined']);
    expect(durations['undefined']![1]).toBeCloseTo(1.25);
    expect(durations['throttled']![0]).toBe(2);
    expect(durations['throttled']![1]).toBeCloseTo(0.12);
    expect(durations['stream']![1]).toBeCloseTo(0.9);
    const ttfc = histogramPoints(all.get(METRIC_NAMES.timeToFirstChunk));
    expect(ttfc.map((p) => p.attributes[ATTRIBUTE_KEYS.errorType]).sort()).toEqual(['stream', undefined]);
  });

  it('never puts prompt text, response text or request ids into attributes', async () => {
    const { provider, reader } = testProvider();
    const m = new GenAIMetrics({ meterProvider: provider });
    m.record(streamRecord(), STREAM);
    m.record(streamRecord({ error: 'boom req-5f1c0e2a-unbounded', errorType: 'server' }), STREAM);
    const allowed = new Set<string>(Object.values(ATTRIBUTE_KEYS));
    for (const metric of (await reader.metrics()).values()) {
      for (const point of metric.dataPoints) {
        for (const [key, value] of Object.entries(point.attributes)) {
          expect(allowed.has(key), key).toBe(true);
          expect(String(value)).not.toMatch(/PROMPT|RESPONSE|req-|boom/);
        }
      }
    }
  });

  it('caps the distinct model ids', async () => {
    const { provider, reader } = testProvider();
    const m = new GenAIMetrics({ meterProvider: provider, maxModels: 2 });
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm1']) m.record(streamRecord(), { ...STREAM, modelId: id });
    const points = (await reader.metrics()).get(METRIC_NAMES.requests)!.dataPoints;
    const counts = Object.fromEntries(points.map((p) => [p.attributes[ATTRIBUTE_KEYS.requestModel], p.value]));
    expect(counts).toEqual({ m1: 2, m2: 1, _OTHER: 2 });
  });

  it('takes overridden and fine buckets, and a View still wins', async () => {
    const { provider, reader } = testProvider([
      {
        instrumentName: METRIC_NAMES.tokenUsage,
        aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [10, 100] } },
      },
    ]);
    const m = new GenAIMetrics({
      meterProvider: provider,
      fineBuckets: true,
      buckets: { operationDuration: [0.5, 1, 2] },
    });
    m.record(streamRecord(), STREAM);
    const all = await reader.metrics();
    expect(histogramPoints(all.get(METRIC_NAMES.operationDuration))[0]!.value.buckets.boundaries).toEqual([0.5, 1, 2]);
    expect(histogramPoints(all.get(METRIC_NAMES.timeToFirstChunk))[0]!.value.buckets.boundaries).toEqual([
      ...FINE_SECONDS_BUCKETS,
    ]);
    expect(histogramPoints(all.get(METRIC_NAMES.tokenUsage))[0]!.value.buckets.boundaries).toEqual([10, 100]);
    expect(() => new GenAIMetrics({ buckets: { tokenUsage: [2, 1] } })).toThrow(/buckets.tokenUsage/);
    expect(() => new GenAIMetrics({ maxModels: 0 })).toThrow(/maxModels/);
  });

  it('fine buckets are ascending and never more than a third apart', () => {
    for (let i = 1; i < FINE_SECONDS_BUCKETS.length; i++) {
      const ratio = FINE_SECONDS_BUCKETS[i]! / FINE_SECONDS_BUCKETS[i - 1]!;
      expect(ratio).toBeGreaterThan(1);
      expect(ratio).toBeLessThanOrEqual(4 / 3 + 1e-9);
    }
    expect(FINE_SECONDS_BUCKETS[0]).toBe(0.001);
    expect(FINE_SECONDS_BUCKETS.at(-1)).toBe(100);
  });

  it('never throws when the meter fails, and reports once', () => {
    const onError = vi.fn();
    const broken = {
      getMeter() {
        throw new Error('exporter down');
      },
    };
    const m = new GenAIMetrics({ meterProvider: broken, onError });
    expect(() => m.record(streamRecord(), STREAM)).not.toThrow();
    expect(() => m.record(streamRecord(), STREAM)).not.toThrow();
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('uses the global meter provider when none is given (a no-op when none is registered)', async () => {
    expect(() => new GenAIMetrics().record(streamRecord(), STREAM)).not.toThrow();
    const { provider, reader } = testProvider();
    metrics.setGlobalMeterProvider(provider);
    try {
      new GenAIMetrics().record(streamRecord(), STREAM);
      expect((await reader.metrics()).get(METRIC_NAMES.requests)!.dataPoints).toHaveLength(1);
    } finally {
      metrics.disable();
    }
  });

  it('with no global provider registered does no work per record, and picks up one registered later', async () => {
    metrics.disable();
    const m = new GenAIMetrics();
    const attributes = vi.spyOn(m, 'attributesFor');
    m.record(streamRecord(), STREAM);
    m.record(streamRecord(), { ...STREAM, modelId: 'other' });
    expect(attributes).not.toHaveBeenCalled();
    const { provider, reader } = testProvider();
    metrics.setGlobalMeterProvider(provider);
    try {
      m.record(streamRecord(), STREAM);
      expect(attributes).toHaveBeenCalledTimes(1);
      const points = (await reader.metrics()).get(METRIC_NAMES.requests)!.dataPoints;
      expect(points.map((p) => [p.attributes[ATTRIBUTE_KEYS.requestModel], p.value])).toEqual([
        ['anthropic.claude-3-haiku', 1],
      ]);
    } finally {
      metrics.disable();
    }
    m.record(streamRecord(), STREAM);
    expect(attributes).toHaveBeenCalledTimes(1);
  });
});
