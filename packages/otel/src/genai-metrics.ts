import { type InvocationResponse, interChunkLatencies } from '@llmeter/core';
import {
  type Attributes,
  type Counter,
  createNoopMeter,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
} from '@opentelemetry/api';
import {
  FINE_SECONDS_BUCKETS,
  FINE_TOKEN_BUCKETS,
  GENAI_DURATION_BUCKETS,
  GENAI_TOKEN_BUCKETS,
  SCHEDULE_LAG_BUCKETS,
  TPOT_BUCKETS,
} from './buckets.js';
import {
  describeEndpoint,
  type EndpointDescriptor,
  type EndpointLike,
  genAIProviderName,
} from './endpoint-descriptor.js';

/** The instrumentation scope name of every instrument (`otel_scope_name` in Prometheus). */
export const METER_NAME = '@llmeter/otel';
/** The instrumentation scope version. */
export const METER_VERSION = '0.1.0';

/** Metric names: the GenAI semantic conventions' and our own `llmeter.*`. */
export const METRIC_NAMES = Object.freeze({
  operationDuration: 'gen_ai.client.operation.duration',
  tokenUsage: 'gen_ai.client.token.usage',
  timeToFirstChunk: 'gen_ai.client.operation.time_to_first_chunk',
  timePerOutputChunk: 'gen_ai.client.operation.time_per_output_chunk',
  timePerOutputToken: 'llmeter.client.time_per_output_token',
  requests: 'llmeter.client.requests',
  scheduleLag: 'llmeter.client.schedule_lag',
  queueTime: 'llmeter.client.queue_time',
  serverTimeToFirstByte: 'llmeter.client.server_time_to_first_byte',
});

/** Attribute keys used on every series. None carries an unbounded value. */
export const ATTRIBUTE_KEYS = Object.freeze({
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  tokenType: 'gen_ai.token.type',
  errorType: 'error.type',
  serverAddress: 'server.address',
  serverPort: 'server.port',
});

/** The value of `gen_ai.request.model` once `maxModels` distinct model ids were seen, and of unknown error types. */
export const OTHER_VALUE = '_OTHER';

/** Bucket boundaries per histogram (ascending). */
export interface GenAIBuckets {
  /** `gen_ai.client.operation.duration`, seconds. */
  operationDuration: readonly number[];
  /** `gen_ai.client.token.usage`, tokens. */
  tokenUsage: readonly number[];
  /** `gen_ai.client.operation.time_to_first_chunk`, seconds. */
  timeToFirstChunk: readonly number[];
  /** `gen_ai.client.operation.time_per_output_chunk`, seconds. */
  timePerOutputChunk: readonly number[];
  /** `llmeter.client.time_per_output_token`, seconds. */
  timePerOutputToken: readonly number[];
  /** `llmeter.client.schedule_lag`, seconds. */
  scheduleLag: readonly number[];
  /** `llmeter.client.queue_time`, seconds. */
  queueTime: readonly number[];
  /** `llmeter.client.server_time_to_first_byte`, seconds. */
  serverTimeToFirstByte: readonly number[];
}

/** Options for `GenAIMetrics`. */
export interface GenAIMetricsOptions {
  /**
   * Where the instruments are created. Default: the global meter provider (`metrics.getMeterProvider()`), looked
   * up at each record, so a provider registered after the first records is picked up; while none is registered
   * recording returns at once (no attributes built, nothing kept) and costs nothing.
   */
  meterProvider?: MeterProvider;
  /**
   * Finer boundaries for every histogram (ten per decade: 1 ms to 100 s, 1 to 10⁶ tokens) instead of the
   * semantic conventions' doubling ones. Default `false`.
   */
  fineBuckets?: boolean;
  /** Boundaries per histogram; each one given wins over `fineBuckets` and the defaults. */
  buckets?: Partial<GenAIBuckets>;
  /**
   * At most this many distinct `gen_ai.request.model` values; later model ids are recorded as `_OTHER`
   * (a guard against a cardinality explosion). Default 100.
   */
  maxModels?: number;
  /** Called once, on the first failure to record (later failures are silent). Default: one `console.warn`. */
  onError?: (error: unknown) => void;
}

/** The boundaries used when none are given: the semantic conventions' recommendation, and ours for `llmeter.*`. */
export const DEFAULT_BUCKETS: Readonly<GenAIBuckets> = Object.freeze({
  operationDuration: GENAI_DURATION_BUCKETS,
  tokenUsage: GENAI_TOKEN_BUCKETS,
  timeToFirstChunk: GENAI_DURATION_BUCKETS,
  timePerOutputChunk: GENAI_DURATION_BUCKETS,
  timePerOutputToken: TPOT_BUCKETS,
  scheduleLag: SCHEDULE_LAG_BUCKETS,
  queueTime: SCHEDULE_LAG_BUCKETS,
  serverTimeToFirstByte: GENAI_DURATION_BUCKETS,
});

/** The boundaries used with `fineBuckets: true`. */
export const FINE_BUCKETS: Readonly<GenAIBuckets> = Object.freeze({
  operationDuration: FINE_SECONDS_BUCKETS,
  tokenUsage: FINE_TOKEN_BUCKETS,
  timeToFirstChunk: FINE_SECONDS_BUCKETS,
  timePerOutputChunk: FINE_SECONDS_BUCKETS,
  timePerOutputToken: FINE_SECONDS_BUCKETS,
  scheduleLag: FINE_SECONDS_BUCKETS,
  queueTime: FINE_SECONDS_BUCKETS,
  serverTimeToFirstByte: FINE_SECONDS_BUCKETS,
});

/** The bucket boundaries the options select (one place for the defaults). */
export function resolveBuckets(options: Pick<GenAIMetricsOptions, 'fineBuckets' | 'buckets'> = {}): GenAIBuckets {
  const base = options.fineBuckets ? FINE_BUCKETS : DEFAULT_BUCKETS;
  const out = { ...base, ...options.buckets };
  for (const [key, list] of Object.entries(out)) {
    if (!Array.isArray(list) || list.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (list[i - 1] as number)))) {
      throw new TypeError(
        `buckets.${key} must be a strictly ascending list of finite numbers, got ${JSON.stringify(list)}`,
      );
    }
  }
  return out;
}

interface Instruments {
  operationDuration: Histogram;
  tokenUsage: Histogram;
  timeToFirstChunk: Histogram;
  timePerOutputChunk: Histogram;
  timePerOutputToken: Histogram;
  scheduleLag: Histogram;
  queueTime: Histogram;
  serverTimeToFirstByte: Histogram;
  requests: Counter;
}

const isFailed = (record: InvocationResponse): boolean => record.error !== null || record.errorType !== null;

const isMeasurement = (v: number | null | undefined): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * The instrument set: turns each `InvocationResponse` into OpenTelemetry GenAI metrics.
 *
 * Per record (attributes: `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`, `error.type`
 * when the request failed, `server.address`/`server.port` when configured):
 * - `gen_ai.client.operation.duration` ← `timeToLastToken`; for a failed request its `timeToError` (the time until
 *   it failed, with `error.type`), else its `timeToLastToken` when it has one,
 * - `gen_ai.client.token.usage` ← `numTokensInput` (`gen_ai.token.type=input`) and `numTokensOutput` (`output`),
 * - streaming calls only: `gen_ai.client.operation.time_to_first_chunk` ← `timeToFirstToken`, and
 *   `gen_ai.client.operation.time_per_output_chunk` ← every gap between consecutive `chunkTimes`,
 * - `llmeter.client.time_per_output_token` ← `effectiveTimePerOutputToken`, `llmeter.client.schedule_lag`
 *   ← `scheduleLag`, and `llmeter.client.requests` +1 (with `error.type` on failures),
 * - attribution, when the transport measured it: `llmeter.client.queue_time` ← `timeToRequestSent`, and
 *   `llmeter.client.server_time_to_first_byte` ← `timeToResponseHeaders − timeToRequestSent`.
 *
 * It reads records only: it never measures time. Recording never throws.
 */
export class GenAIMetrics {
  /** The bucket boundaries in use. */
  readonly buckets: Readonly<GenAIBuckets>;
  private readonly meterProvider: MeterProvider | undefined;
  private readonly maxModels: number;
  private readonly onError: (error: unknown) => void;
  private instruments: Instruments | undefined;
  /** The global provider the instruments were made from (when no `meterProvider` was given). */
  private globalProvider: MeterProvider | undefined;
  private readonly models = new Set<string>();
  private failed = false;

  constructor(options: GenAIMetricsOptions = {}) {
    this.buckets = resolveBuckets(options);
    this.meterProvider = options.meterProvider;
    const maxModels = options.maxModels ?? 100;
    if (!(Number.isInteger(maxModels) && maxModels > 0)) {
      throw new TypeError(`maxModels must be a positive integer, got ${JSON.stringify(options.maxModels)}`);
    }
    this.maxModels = maxModels;
    this.onError =
      options.onError ?? ((error) => console.warn('@llmeter/otel: recording metrics failed (reported once):', error));
  }

  /** The instruments to record into; undefined while only the API's no-op global provider is there. */
  private getInstruments(): Instruments | undefined {
    if (this.meterProvider) {
      this.instruments ??= this.createInstruments(this.meterProvider.getMeter(METER_NAME, METER_VERSION));
      return this.instruments;
    }
    const provider = metrics.getMeterProvider();
    if (provider !== this.globalProvider) {
      const meter = provider.getMeter(METER_NAME, METER_VERSION);
      this.instruments = meter === createNoopMeter() ? undefined : this.createInstruments(meter);
      this.globalProvider = provider;
    }
    return this.instruments;
  }

  private createInstruments(meter: Meter): Instruments {
    const histogram = (name: string, unit: string, description: string, boundaries: readonly number[]) =>
      meter.createHistogram(name, { unit, description, advice: { explicitBucketBoundaries: [...boundaries] } });
    const b = this.buckets;
    return {
      operationDuration: histogram(
        METRIC_NAMES.operationDuration,
        's',
        'GenAI operation duration: time to last token, or time until a failed request failed (with error.type).',
        b.operationDuration,
      ),
      tokenUsage: histogram(
        METRIC_NAMES.tokenUsage,
        '{token}',
        'Number of input and output tokens used.',
        b.tokenUsage,
      ),
      timeToFirstChunk: histogram(
        METRIC_NAMES.timeToFirstChunk,
        's',
        'Time to receive the first chunk of a streaming response (LLMeter time to first token).',
        b.timeToFirstChunk,
      ),
      timePerOutputChunk: histogram(
        METRIC_NAMES.timePerOutputChunk,
        's',
        'Time between consecutive chunks of a streaming response (inter-chunk latency), once per chunk after the first.',
        b.timePerOutputChunk,
      ),
      timePerOutputToken: histogram(
        METRIC_NAMES.timePerOutputToken,
        's',
        'Time per output token after the first: (TTLT - TTFT) / (output tokens - 1).',
        b.timePerOutputToken,
      ),
      scheduleLag: histogram(
        METRIC_NAMES.scheduleLag,
        's',
        'Actual minus intended send instant of open-loop requests (coordinated-omission signal).',
        b.scheduleLag,
      ),
      queueTime: histogram(
        METRIC_NAMES.queueTime,
        's',
        'Time from the start of the invocation until the request was handed to the socket (client-side queueing).',
        b.queueTime,
      ),
      serverTimeToFirstByte: histogram(
        METRIC_NAMES.serverTimeToFirstByte,
        's',
        'Time from the request being sent until the response headers arrived (network and server time to first byte).',
        b.serverTimeToFirstByte,
      ),
      requests: meter.createCounter(METRIC_NAMES.requests, {
        unit: '{request}',
        description: 'Requests made, with error.type on failures.',
      }),
    };
  }

  /** The bounded model attribute: the model id, or `_OTHER` once `maxModels` distinct ids were seen. */
  private modelValue(modelId: string): string {
    if (this.models.has(modelId)) return modelId;
    if (this.models.size >= this.maxModels) return OTHER_VALUE;
    this.models.add(modelId);
    return modelId;
  }

  /** The attributes every series of this record carries. */
  attributesFor(record: InvocationResponse, endpoint: EndpointDescriptor): Attributes {
    const attrs: Attributes = {
      [ATTRIBUTE_KEYS.operationName]: endpoint.operationName ?? 'chat',
      [ATTRIBUTE_KEYS.providerName]: genAIProviderName(endpoint.provider),
      [ATTRIBUTE_KEYS.requestModel]: this.modelValue(endpoint.modelId),
    };
    if (endpoint.serverAddress) {
      attrs[ATTRIBUTE_KEYS.serverAddress] = endpoint.serverAddress;
      if (endpoint.serverPort !== undefined) attrs[ATTRIBUTE_KEYS.serverPort] = endpoint.serverPort;
    }
    if (isFailed(record)) {
      attrs[ATTRIBUTE_KEYS.errorType] = record.errorType ?? OTHER_VALUE;
    }
    return attrs;
  }

  /**
   * Records one finished record from the given endpoint. Never throws: a failure is reported once through
   * `onError` and measuring goes on.
   */
  record(record: InvocationResponse, endpoint: EndpointLike): void {
    try {
      this.recordUnsafe(record, describeEndpoint(endpoint));
    } catch (error) {
      if (this.failed) return;
      this.failed = true;
      try {
        this.onError(error);
      } catch {
        // reporting must not break the host either
      }
    }
  }

  private recordUnsafe(record: InvocationResponse, endpoint: EndpointDescriptor): void {
    const inst = this.getInstruments();
    if (!inst) return;
    const attrs = this.attributesFor(record, endpoint);
    inst.requests.add(1, attrs);
    const duration = isFailed(record) ? (record.timeToError ?? record.timeToLastToken) : record.timeToLastToken;
    if (isMeasurement(duration)) inst.operationDuration.record(duration, attrs);
    if (isMeasurement(record.numTokensInput)) {
      inst.tokenUsage.record(record.numTokensInput, { ...attrs, [ATTRIBUTE_KEYS.tokenType]: 'input' });
    }
    if (isMeasurement(record.numTokensOutput)) {
      inst.tokenUsage.record(record.numTokensOutput, { ...attrs, [ATTRIBUTE_KEYS.tokenType]: 'output' });
    }
    if (isStreaming(record, endpoint)) {
      if (isMeasurement(record.timeToFirstToken)) inst.timeToFirstChunk.record(record.timeToFirstToken, attrs);
      for (const gap of interChunkLatencies(record.chunkTimes)) {
        if (isMeasurement(gap)) inst.timePerOutputChunk.record(gap, attrs);
      }
    }
    const tpot = record.effectiveTimePerOutputToken;
    if (isMeasurement(tpot)) inst.timePerOutputToken.record(tpot, attrs);
    if (isMeasurement(record.scheduleLag)) inst.scheduleLag.record(record.scheduleLag, attrs);
    if (isMeasurement(record.timeToRequestSent)) {
      inst.queueTime.record(record.timeToRequestSent, attrs);
      if (isMeasurement(record.timeToResponseHeaders)) {
        const server = record.timeToResponseHeaders - record.timeToRequestSent;
        if (isMeasurement(server)) inst.serverTimeToFirstByte.record(server, attrs);
      }
    }
  }
}

/**
 * Whether a record is from a streaming call: the descriptor's `streaming` when set; otherwise the record has
 * `chunkTimes` or the endpoint type's name contains `stream` (`BedrockConverseStream`).
 */
export function isStreaming(record: InvocationResponse, endpoint: EndpointDescriptor): boolean {
  if (endpoint.streaming !== undefined) return endpoint.streaming;
  if (record.chunkTimes !== null && record.chunkTimes !== undefined) return true;
  return /stream/i.test(endpoint.endpointType ?? '');
}
