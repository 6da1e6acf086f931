import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';

/** A metric reader that collects on demand (the in-memory reader of the tests). */
export class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}

  /** Every metric collected now, by name. */
  async metrics(): Promise<Map<string, MetricData>> {
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length) throw errors[0];
    const out = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) out.set(m.descriptor.name, m);
    return out;
  }
}

/** A meter provider with a collecting reader. */
export function testProvider(views: ViewOptions[] = []): { provider: MeterProvider; reader: CollectingReader } {
  const reader = new CollectingReader();
  return { provider: new MeterProvider({ readers: [reader], views }), reader };
}

/** The histogram data points of a metric. */
export function histogramPoints(metric: MetricData | undefined): DataPoint<Histogram>[] {
  if (!metric) throw new Error('metric missing');
  return metric.dataPoints as DataPoint<Histogram>[];
}
