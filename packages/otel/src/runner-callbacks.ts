import type { EndpointJSON, InvocationResponse } from '@llmeter/core';
import { describeEndpoint, type EndpointDescriptor, type EndpointLike } from './endpoint-descriptor.js';
import { GenAIMetrics, type GenAIMetricsOptions, OTHER_VALUE } from './genai-metrics.js';

/** Options for `otelCallbacks`. */
export interface OtelCallbacksOptions extends GenAIMetricsOptions {
  /** The endpoint the run invokes. Default: the `endpoint` of the run configuration `beforeRun` receives. */
  endpoint?: EndpointLike;
  /** An instrument set to record into (shared); its own options then apply. */
  metrics?: GenAIMetrics;
  /** Record warm-up requests too. Default `false` (they stay out of metrics as they stay out of statistics). */
  includeWarmup?: boolean;
}

/**
 * The runner's callback shape (`RunCallbacks` of `@llmeter/runner`), structurally: `beforeRun` learns the
 * endpoint from the run configuration, `afterInvoke` records each record.
 */
export interface OtelCallbacks {
  beforeRun(config: Record<string, unknown>): void;
  afterInvoke(record: InvocationResponse, info?: { warmup?: boolean }): void;
}

/**
 * Runner callbacks that record every request of a run as OpenTelemetry GenAI metrics:
 * `new Runner({ endpoint, callbacks: [otelCallbacks({ meterProvider })] })`. Never throws.
 */
export function otelCallbacks(options: OtelCallbacksOptions = {}): OtelCallbacks {
  const { endpoint, metrics: shared, includeWarmup = false, ...metricsOptions } = options;
  const metrics = shared ?? new GenAIMetrics(metricsOptions);
  const pinned = endpoint ? describeEndpoint(endpoint) : undefined;
  let current: EndpointDescriptor | undefined;
  return {
    beforeRun(config) {
      const ep = config?.['endpoint'] as EndpointJSON | undefined;
      if (ep && typeof ep === 'object' && typeof ep.model_id === 'string') current = describeEndpoint(ep);
    },
    afterInvoke(record, info) {
      if (info?.warmup && !includeWarmup) return;
      metrics.record(record, pinned ?? current ?? { modelId: OTHER_VALUE });
    },
  };
}
