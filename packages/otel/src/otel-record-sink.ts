import type { InvocationResponse, RecordSink, RunStartInfo } from '@llmeter/core';
import { describeEndpoint, type EndpointDescriptor, type EndpointLike } from './endpoint-descriptor.js';
import { GenAIMetrics, type GenAIMetricsOptions, OTHER_VALUE } from './genai-metrics.js';

/** Options for `OtelRecordSink`: the instrument set's options, or an instrument set to share. */
export interface OtelRecordSinkOptions extends GenAIMetricsOptions {
  /**
   * The endpoint the records come from. Default: the `endpoint` of the latest `onRunStart` (runners pass it);
   * records that arrive with no endpoint known are labelled `gen_ai.request.model=_OTHER`.
   */
  endpoint?: EndpointLike;
  /** An instrument set to record into (shared between sinks); its own options then apply, not these. */
  metrics?: GenAIMetrics;
}

/**
 * A `RecordSink` that records every record as OpenTelemetry GenAI metrics (see `GenAIMetrics`). Give it to a
 * runner (or a `SinkFanout`); it never throws and never awaits anything.
 */
export class OtelRecordSink implements RecordSink {
  readonly name = 'otel';
  /** The instrument set records go to. */
  readonly metrics: GenAIMetrics;
  private readonly pinned: EndpointDescriptor | undefined;
  private current: EndpointDescriptor | undefined;

  constructor(options: OtelRecordSinkOptions = {}) {
    const { endpoint, metrics, ...metricsOptions } = options;
    this.metrics = metrics ?? new GenAIMetrics(metricsOptions);
    this.pinned = endpoint ? describeEndpoint(endpoint) : undefined;
  }

  onRunStart(run: RunStartInfo): void {
    if (run.endpoint) this.current = describeEndpoint(run.endpoint);
  }

  onRecord(record: InvocationResponse): void {
    this.metrics.record(record, this.pinned ?? this.current ?? { modelId: OTHER_VALUE });
  }
}
