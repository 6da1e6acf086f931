import type { IMetricReader } from '@opentelemetry/sdk-metrics';

/** Options for `createOtlpMetricReader`. */
export interface OtlpMetricReaderOptions {
  /** The OTLP/HTTP metrics URL. Default: `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, else `http://localhost:4318/v1/metrics`. */
  url?: string;
  /** Extra HTTP headers (e.g. authorization). */
  headers?: Record<string, string>;
  /** How often to export, milliseconds. Default 60000. */
  exportIntervalMillis?: number;
  /** Export timeout, milliseconds. Default 30000. */
  exportTimeoutMillis?: number;
  /** Aggregation temporality. Default `cumulative` (what Prometheus' OTLP receiver expects). */
  temporality?: 'cumulative' | 'delta';
  /**
   * Export histograms as base-2 exponential histograms (fine resolution without choosing boundaries; the
   * explicit bucket advice is then ignored). Default `false`.
   */
  exponentialHistograms?: boolean;
}

/**
 * A periodic metric reader exporting over OTLP/HTTP (JSON), for a `MeterProvider`'s `readers`
 * (`@opentelemetry/sdk-metrics` and `@opentelemetry/exporter-metrics-otlp-http`, loaded on first call).
 * Through OTLP, Prometheus names gain unit suffixes (`gen_ai_client_operation_duration_seconds`).
 */
export async function createOtlpMetricReader(options: OtlpMetricReaderOptions = {}): Promise<IMetricReader> {
  const [sdk, otlp] = await Promise.all([
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/exporter-metrics-otlp-http'),
  ]);
  const exporter = new otlp.OTLPMetricExporter({
    ...(options.url !== undefined && { url: options.url }),
    ...(options.headers !== undefined && { headers: options.headers }),
    temporalityPreference:
      options.temporality === 'delta'
        ? otlp.AggregationTemporalityPreference.DELTA
        : otlp.AggregationTemporalityPreference.CUMULATIVE,
    ...(options.exponentialHistograms && {
      aggregationPreference: (type: import('@opentelemetry/sdk-metrics').InstrumentType) =>
        type === sdk.InstrumentType.HISTOGRAM
          ? { type: sdk.AggregationType.EXPONENTIAL_HISTOGRAM }
          : { type: sdk.AggregationType.DEFAULT },
    }),
  });
  return new sdk.PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: options.exportIntervalMillis ?? 60_000,
    exportTimeoutMillis: options.exportTimeoutMillis ?? 30_000,
  });
}
