/** A latency distribution in milliseconds; a bare number is a constant. */
export type LatencyDistribution =
  | number
  | {
      /** `constant` uses `mean`; `uniform` draws in [`min`, `max`]; `normal` and `lognormal` use `mean` and `stddev`. */
      distribution: 'constant' | 'uniform' | 'normal' | 'lognormal';
      mean?: number;
      /** Lower clamp (and the lower bound of `uniform`). */
      min?: number;
      /** Upper clamp (and the upper bound of `uniform`). */
      max?: number;
      stddev?: number;
    };

/** How the emulator paces and sizes its generated responses. Every field has a default (see `DEFAULT_PROFILE`). */
export interface LatencyProfile {
  /** Time to first token (ms): from the request's arrival to the first content delta. Default lognormal mean 300, stddev 100. */
  ttftMs: LatencyDistribution;
  /** Delay between consecutive streamed deltas (ms). Default 15. */
  interTokenDelayMs: number;
  /** Output tokens carried by one text delta (one filler word per token). Default 1. */
  tokensPerDelta: number;
  /** Output tokens to generate, always bounded by the request's `inferenceConfig.maxTokens`. Default 32..128. */
  outputTokens: number | { min: number; max: number };
  /** Reasoning deltas (then one `signature` delta) sent in block 0 before the text block. Default 0. */
  reasoningDeltas: number;
  /** `usage.cacheReadInputTokens` reported. Default 0. */
  cacheReadInputTokens: number;
  /** `usage.cacheWriteInputTokens` reported. Default 0. */
  cacheWriteInputTokens: number;
  /** Send usage across two metadata events whose fields sum to the totals. Default false. */
  splitMetadata: boolean;
  /** Open the text block with an empty text delta (its own pacing slot) and close it with another. Default false. */
  emptyDeltas: boolean;
  /** Add the `p` padding field the real service puts on stream events. Default true. */
  padding: boolean;
}

/** The six exception events a ConverseStream response can carry (`:exception-type` values). */
export type StreamExceptionType =
  | 'internalServerException'
  | 'modelStreamErrorException'
  | 'modelTimeoutException'
  | 'serviceUnavailableException'
  | 'throttlingException'
  | 'validationException';

/** One injected failure. `afterDeltas` counts `contentBlockDelta` events written before the fault. */
export type FaultSpec =
  /** An HTTP error response with a JSON `message` body and the `x-amzn-ErrorType` header, as AWS sends it. */
  | { kind: 'http'; status: 429 | 500 | 503 | 400; message?: string }
  /** An in-stream exception event (`:message-type: exception`) after `afterDeltas` deltas; the response then ends. */
  | { kind: 'stream-exception'; type: StreamExceptionType; afterDeltas: number; message?: string }
  /**
   * The connection is dropped after `afterDeltas` deltas, when the next delta is due but no sooner than `graceMs`
   * (default 100) after the last write: a client loses what it had received but not yet read when the connection
   * drops, so the grace lets it read the deltas sent before the reset.
   */
  | { kind: 'reset'; afterDeltas: number; graceMs?: number }
  /** Nothing more is sent (0/undefined: not even the headers); only the client's timeout or abort ends it. */
  | { kind: 'stall'; afterDeltas?: number }
  /** After `afterDeltas` deltas, a frame whose message CRC is wrong; the response then ends. */
  | { kind: 'corrupt-frame'; afterDeltas: number };

/** A fault applied to the requests it matches. Rules are evaluated in order; the first that fires wins. */
export interface FaultRule {
  fault: FaultSpec;
  /** Probability in [0, 1] that a matching request gets the fault (seeded, reproducible). Default 1. */
  rate?: number;
  /** Only requests for this model id (exact string, or a RegExp tested against the decoded id). */
  modelId?: string | RegExp;
  /** Only this operation. */
  operation?: Operation;
}

/** A recorded response to replay instead of generating one. */
export interface Recording {
  /** A Converse JSON body, sent verbatim. */
  converse?: Record<string, unknown>;
  /** ConverseStream events in order, each `{ eventType: payload }` (the lines of a `*.chunks.txt`), paced by the profile. */
  stream?: Record<string, unknown>[];
}

/** The two Bedrock Runtime operations the emulator serves. */
export type Operation = 'converse' | 'converse-stream';

/** Options of `startBedrockEmulator`; every field is optional. */
export interface EmulatorOptions {
  /** Interface to bind. Default `'127.0.0.1'`. */
  host?: string;
  /** Port to bind; 0 picks a free one. Default 0. */
  port?: number;
  /** Seed of every random choice (latencies, lengths, fault rates), per request in arrival order. Default 1. */
  seed?: number;
  /** Overrides of the default latency profile. */
  profile?: Partial<LatencyProfile>;
  /** Fault rules, evaluated in order; the first that fires wins. A request's `x-llmeter-fault` header overrides them. */
  faults?: FaultRule[];
  /** Model id -> a recording replayed for that model instead of a generated response. */
  recordings?: Record<string, Recording>;
  /** Ground-truth entries kept (oldest dropped first). Default 100,000. */
  groundTruthLimit?: number;
}

/**
 * What the emulator itself observed for one request. Instants are epoch milliseconds with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`), taken right after the bytes were handed to the socket.
 */
export interface GroundTruth {
  requestId: string;
  modelId: string;
  operation: Operation;
  /** When the request body had fully arrived. */
  receivedAt: number;
  /** When the response status and headers were sent. */
  headersSentAt?: number;
  /** When the first `contentBlockDelta` of any kind (reasoning, text, tool use, empty) was written. */
  firstDeltaAt?: number;
  /** When the first non-empty text delta was written (streams), or the body (Converse). */
  firstTextDeltaAt?: number;
  /** When the last byte was written (the response ended, or the connection was reset). */
  lastByteAt?: number;
  /** `contentBlockDelta` events written. */
  deltas: number;
  /** The injected fault, if any. */
  fault?: FaultSpec['kind'];
}

/** A running emulator. */
export interface BedrockEmulator {
  /** Base URL for the SDK's `endpoint`, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests and closes every connection, stalled ones too. */
  close(): Promise<void>;
  /** The ground truth of a request, by its `x-amzn-RequestId` (the SDK's `$metadata.requestId`). */
  groundTruth(requestId: string): GroundTruth | undefined;
  /** Every ground-truth entry kept, in arrival order. */
  groundTruths(): GroundTruth[];
  /** Requests received so far on the two operations. */
  readonly requestCount: number;
}
