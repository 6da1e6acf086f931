export {
  FINE_SECONDS_BUCKETS,
  FINE_TOKEN_BUCKETS,
  GENAI_DURATION_BUCKETS,
  GENAI_TOKEN_BUCKETS,
  SCHEDULE_LAG_BUCKETS,
  TPOT_BUCKETS,
} from './buckets.js';
export type { CloudWatchEmfSinkOptions, EmfDimension } from './cloudwatch-emf-sink.js';
export { CloudWatchEmfSink } from './cloudwatch-emf-sink.js';
export type { EndpointDescriptor, EndpointLike } from './endpoint-descriptor.js';
export { describeEndpoint, genAIProviderName } from './endpoint-descriptor.js';
export type { GenAIBuckets, GenAIMetricsOptions } from './genai-metrics.js';
export {
  ATTRIBUTE_KEYS,
  DEFAULT_BUCKETS,
  FINE_BUCKETS,
  GenAIMetrics,
  isStreaming,
  METER_NAME,
  METER_VERSION,
  METRIC_NAMES,
  OTHER_VALUE,
  resolveBuckets,
} from './genai-metrics.js';
export type { InstrumentEndpointOptions } from './instrument-endpoint.js';
export { instrumentEndpoint } from './instrument-endpoint.js';
export type { OtelRecordSinkOptions } from './otel-record-sink.js';
export { OtelRecordSink } from './otel-record-sink.js';
export type { OtlpMetricReaderOptions } from './otlp-reader.js';
export { createOtlpMetricReader } from './otlp-reader.js';
export type { PrometheusExporterHandle, PrometheusExporterOptions } from './prometheus-exporter.js';
export { startPrometheusExporter } from './prometheus-exporter.js';
export type { OtelCallbacks, OtelCallbacksOptions } from './runner-callbacks.js';
export { otelCallbacks } from './runner-callbacks.js';
