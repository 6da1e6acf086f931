import { type Endpoint, type InvokeOptions, type RecordSink, SinkFanout } from '@llmeter/core';
import { describeEndpoint, type EndpointDescriptor } from './endpoint-descriptor.js';
import { GenAIMetrics, type GenAIMetricsOptions } from './genai-metrics.js';

/** Options for `instrumentEndpoint`. */
export interface InstrumentEndpointOptions extends GenAIMetricsOptions {
  /** An instrument set to record into (shared between endpoints); its own options then apply. */
  metrics?: GenAIMetrics;
  /** Overrides what is read from the endpoint (e.g. `streaming`, `serverAddress`). */
  describe?: Partial<EndpointDescriptor>;
  /**
   * Other record sinks fed with every record (e.g. a `CloudWatchEmfSink`), through a `SinkFanout`: a sink that
   * fails is reported once and detached. They are not awaited by `invoke`.
   */
  sinks?: Iterable<RecordSink>;
}

/**
 * Wraps an endpoint so that every `invoke` records its record as OpenTelemetry GenAI metrics (and feeds the
 * given sinks), for use in a production service with no runner. The wrapper is the endpoint in every other
 * respect (a `Proxy`: same properties, `instanceof` holds, `toJSON()` unchanged); `invoke` resolves with the
 * very same record, after recording. Recording never throws and never delays the caller by more than the
 * synchronous `histogram.record` calls.
 *
 * The meter provider: `options.meterProvider`, else the global one (a no-op when none is registered).
 */
// biome-ignore lint/suspicious/noExplicitAny: any endpoint, whatever its payload and raw response types
export function instrumentEndpoint<T extends Endpoint<any, any>>(
  endpoint: T,
  options: InstrumentEndpointOptions = {},
): T {
  const { metrics: shared, describe, sinks, ...metricsOptions } = options;
  const metrics = shared ?? new GenAIMetrics(metricsOptions);
  const descriptor: EndpointDescriptor = { ...describeEndpoint(endpoint), ...describe };
  const fanout = sinks ? new SinkFanout(sinks) : undefined;
  const invoke = async (payload: Parameters<T['invoke']>[0], invokeOptions?: InvokeOptions) => {
    const record = await endpoint.invoke(payload, invokeOptions);
    metrics.record(record, descriptor);
    // SinkFanout never rejects; the caller does not wait for slow sinks.
    if (fanout) void fanout.onRecord(record);
    return record;
  };
  const bound = new WeakMap<object, unknown>();
  return new Proxy(endpoint, {
    get(target, prop) {
      if (prop === 'invoke') return invoke;
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      // Methods run against the endpoint itself, so private fields and `this` keep working.
      let fn = bound.get(value);
      if (!fn) {
        fn = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(value, fn);
      }
      return fn;
    },
  });
}
