import { InvocationResponse, type RecordSink, SinkFanout } from '@llmeter/core';
import { describe, expect, it, vi } from 'vitest';
import { ATTRIBUTE_KEYS, GenAIMetrics, METRIC_NAMES } from './genai-metrics.js';
import { instrumentEndpoint } from './instrument-endpoint.js';
import { OtelRecordSink } from './otel-record-sink.js';
import { otelCallbacks } from './runner-callbacks.js';
import { FakeStreamEndpoint } from './test-support/fake-endpoint.js';
import { histogramPoints, testProvider } from './test-support/metric-reader.js';

const OUTCOME = { ttft: 0.2, ttlt: 0.6, chunkTimes: [0.2, 0.4, 0.6], tokensIn: 3, tokensOut: 5 };

describe('instrumentEndpoint', () => {
  it('records every invoke and is otherwise the endpoint itself', async () => {
    const { provider, reader } = testProvider();
    const endpoint = new FakeStreamEndpoint(OUTCOME);
    const instrumented = instrumentEndpoint(endpoint, { meterProvider: provider });
    expect(instrumented).toBeInstanceOf(FakeStreamEndpoint);
    expect(instrumented.modelId).toBe('anthropic.claude-test');
    expect(instrumented.toJSON()).toEqual(endpoint.toJSON());

    const record = await instrumented.invoke({ prompt: 'hello' });
    await instrumented.invoke({ prompt: 'again' });
    expect(record).toBeInstanceOf(InvocationResponse);
    expect(record.timeToFirstToken).toBe(0.2);
    expect(instrumented.calls).toBe(2);

    const all = await reader.metrics();
    const ttfc = histogramPoints(all.get(METRIC_NAMES.timeToFirstChunk));
    expect(ttfc).toHaveLength(1);
    expect(ttfc[0]!.value.count).toBe(2);
    expect(ttfc[0]!.attributes).toEqual({
      [ATTRIBUTE_KEYS.operationName]: 'chat',
      [ATTRIBUTE_KEYS.providerName]: 'aws.bedrock',
      [ATTRIBUTE_KEYS.requestModel]: 'anthropic.claude-test',
    });
    expect(histogramPoints(all.get(METRIC_NAMES.timePerOutputChunk))[0]!.value.count).toBe(4);
  });

  it('labels failed invocations and still resolves with the record', async () => {
    const { provider, reader } = testProvider();
    const failure = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const instrumented = instrumentEndpoint(new FakeStreamEndpoint({ fail: failure }), { meterProvider: provider });
    const record = await instrumented.invoke({});
    expect(record.errorType).toBe('throttled');
    const all = await reader.metrics();
    const requests = all.get(METRIC_NAMES.requests)!.dataPoints;
    expect(requests[0]!.attributes[ATTRIBUTE_KEYS.errorType]).toBe('throttled');
    // the endpoint template measured the failure's duration; it is recorded, labelled
    expect(record.timeToError).toBeGreaterThanOrEqual(0);
    const duration = histogramPoints(all.get(METRIC_NAMES.operationDuration));
    expect(duration.map((p) => [p.attributes[ATTRIBUTE_KEYS.errorType], p.value.count])).toEqual([['throttled', 1]]);
  });

  it('an exporter or sink failure never fails an invocation', async () => {
    const broken = {
      getMeter() {
        throw new Error('exporter down');
      },
    };
    const badSink: RecordSink = {
      name: 'bad',
      onRecord() {
        throw new Error('sink down');
      },
    };
    const good = vi.fn();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const instrumented = instrumentEndpoint(new FakeStreamEndpoint(OUTCOME), {
        meterProvider: broken,
        sinks: [badSink, { onRecord: good }],
      });
      const a = await instrumented.invoke({});
      const b = await instrumented.invoke({});
      expect(a.error).toBeNull();
      expect(b.timeToLastToken).toBe(0.6);
      expect(good).toHaveBeenCalledTimes(2);
      expect(warn).toHaveBeenCalledTimes(2); // once for the meter, once for the detached sink
    } finally {
      warn.mockRestore();
    }
  });

  it('shares one instrument set between endpoints', async () => {
    const { provider, reader } = testProvider();
    const shared = new GenAIMetrics({ meterProvider: provider });
    await instrumentEndpoint(new FakeStreamEndpoint(OUTCOME, 'm-a'), { metrics: shared }).invoke({});
    await instrumentEndpoint(new FakeStreamEndpoint(OUTCOME, 'm-b'), {
      metrics: shared,
      describe: { streaming: false },
    }).invoke({});
    const all = await reader.metrics();
    expect(all.get(METRIC_NAMES.requests)!.dataPoints).toHaveLength(2);
    expect(
      histogramPoints(all.get(METRIC_NAMES.timeToFirstChunk)).map((p) => p.attributes[ATTRIBUTE_KEYS.requestModel]),
    ).toEqual(['m-a']);
  });
});

describe('OtelRecordSink', () => {
  it('records what a runner feeds it, labelled with the run endpoint', async () => {
    const { provider, reader } = testProvider();
    const fanout = new SinkFanout([new OtelRecordSink({ meterProvider: provider })]);
    const endpoint = new FakeStreamEndpoint(OUTCOME, 'model-from-run');
    await fanout.onRunStart({ startTime: new Date(), endpoint: endpoint.toJSON() });
    await fanout.onRecord(await endpoint.invoke({}));
    await fanout.onRunEnd({ endTime: new Date() });
    expect(fanout.active).toHaveLength(1);
    const ttfc = histogramPoints((await reader.metrics()).get(METRIC_NAMES.timeToFirstChunk));
    expect(ttfc[0]!.attributes[ATTRIBUTE_KEYS.requestModel]).toBe('model-from-run');
  });

  it('labels records with no known endpoint _OTHER', async () => {
    const { provider, reader } = testProvider();
    new OtelRecordSink({ meterProvider: provider }).onRecord(new InvocationResponse({ timeToLastToken: 1 }));
    const points = (await reader.metrics()).get(METRIC_NAMES.requests)!.dataPoints;
    expect(points[0]!.attributes[ATTRIBUTE_KEYS.requestModel]).toBe('_OTHER');
  });
});

describe('otelCallbacks', () => {
  it('records runner afterInvoke records (not warm-ups), labelled from the run config', async () => {
    const { provider, reader } = testProvider();
    const cb = otelCallbacks({ meterProvider: provider });
    const endpoint = new FakeStreamEndpoint(OUTCOME, 'model-in-config');
    cb.beforeRun({ endpoint: endpoint.toJSON(), clients: 2 });
    cb.afterInvoke(await endpoint.invoke({}), { warmup: true });
    cb.afterInvoke(await endpoint.invoke({}), { warmup: false });
    const points = (await reader.metrics()).get(METRIC_NAMES.requests)!.dataPoints;
    expect(points).toHaveLength(1);
    expect(points[0]!.value).toBe(1);
    expect(points[0]!.attributes[ATTRIBUTE_KEYS.requestModel]).toBe('model-in-config');
  });
});
