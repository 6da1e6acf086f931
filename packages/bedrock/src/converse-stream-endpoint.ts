import {
  ConverseStreamCommand,
  type ConverseStreamCommandInput,
  type ConverseStreamCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import {
  type InvocationResponse,
  LLMeterValidationError,
  type Payload,
  StreamEventError,
  secondsSince,
} from '@llmeter/core';
import { arrivalOf } from './arrival.js';
import { BedrockBase, type BedrockCallResult, type BedrockEndpointOptions } from './bedrock-endpoint.js';
import { BedrockResponseError, streamErrorFromThrown, streamErrorInChunk } from './bedrock-errors.js';

/** Options of `BedrockConverseStream`. */
export interface BedrockConverseStreamOptions extends BedrockEndpointOptions {
  /**
   * When true (default), time to first token is the first non-empty text delta: reasoning is not counted.
   * When false, the first reasoning delta (of any content) sets it if it comes before the text.
   */
  ttftVisibleTokensOnly?: boolean;
}

/** One event of a ConverseStream response, as the SDK yields it (or as a recording holds it). */
type StreamChunk = Record<string, unknown> & {
  contentBlockDelta?: { delta?: Record<string, unknown> };
  contentBlockStop?: unknown;
  messageStop?: { stopReason?: string };
  metadata?: {
    usage?: { inputTokens?: number; outputTokens?: number; cacheReadInputTokens?: number };
    metrics?: { latencyMs?: number };
  };
};

function add(total: number | null, value: unknown): number | null {
  return typeof value === 'number' ? (total ?? 0) + value : total;
}

/** Whether a delta carries content (text, reasoning, tool input, …) rather than being empty. */
function deltaHasContent(delta: Record<string, unknown>): boolean {
  for (const value of Object.values(delta)) {
    if (value === undefined || value === null || value === '') continue;
    if (
      typeof value === 'object' &&
      !(value instanceof Uint8Array) &&
      !deltaHasContent(value as Record<string, unknown>)
    )
      continue;
    return true;
  }
  return false;
}

/**
 * Measures Bedrock's ConverseStream API delta by delta, as LLMeter (Python) does:
 * - time to first token: the first non-empty text delta (or the first reasoning delta, when
 *   `ttftVisibleTokensOnly` is false); only text goes into `responseText`; a non-string text delta fails the record;
 * - time to last token: moves with every non-empty text delta and every content-block stop;
 * - tokens: the usage of every metadata event summed (input, output, cache read);
 * - a stream error event (any of the six types, as a chunk key or as the exception the SDK throws from the
 *   stream) sets time to last token and fails the record with `Bedrock {type}: {message}`, keeping the text and
 *   tokens received so far.
 * Beyond Python: `chunkTimes` (every delta with content), `stopReason`, `serverLatencyMs` and an `errorType`.
 *
 * The instant of each event (TTFT, TTLT, `chunkTimes`) is its arrival: on the lean transport, the
 * `performance.now()` its HTTP layer read when the socket read carrying the event arrived (a non-enumerable
 * stamp on the event, `./arrival.ts`), so async-iterator and microtask queueing between the socket and this loop
 * is not counted; on the SDK transport, which has no such stamp, the clock as this loop consumes the event.
 */
export class BedrockConverseStream extends BedrockBase<ConverseStreamCommandOutput> {
  readonly ttftVisibleTokensOnly: boolean;

  constructor(options: BedrockConverseStreamOptions) {
    super(options);
    const visibleOnly = options.ttftVisibleTokensOnly ?? true;
    if (typeof visibleOnly !== 'boolean') {
      throw new LLMeterValidationError(`ttftVisibleTokensOnly must be a boolean, got ${JSON.stringify(visibleOnly)}`);
    }
    this.ttftVisibleTokensOnly = visibleOnly;
  }

  get endpointType(): string {
    return 'BedrockConverseStream';
  }

  protected command(payload: Payload): ConverseStreamCommand {
    return new ConverseStreamCommand(payload as unknown as ConverseStreamCommandInput);
  }

  protected async processRawResponse(
    raw: BedrockCallResult<ConverseStreamCommandOutput>,
    start: number,
    response: InvocationResponse,
  ): Promise<void> {
    const output = this.readOutput(raw, response);
    if (!output.stream) throw new BedrockResponseError('the ConverseStream response has no stream');
    try {
      for await (const chunk of output.stream as AsyncIterable<StreamChunk>) {
        // The transport's arrival stamp (lean), else the clock now, as the event is consumed (SDK).
        this.applyChunk(chunk, secondsSince(start, arrivalOf(chunk) ?? performance.now()), response);
      }
    } catch (error) {
      if (StreamEventError.isInstance(error)) throw error;
      const streamError = streamErrorFromThrown(error);
      if (!streamError) throw error;
      // The SDK's form of a stream error event: the same record as the chunk-key form.
      response.timeToLastToken = secondsSince(start, arrivalOf(error) ?? performance.now());
      throw streamError;
    }
  }

  /** Applies one stream event arriving `t` seconds after the start. Throws for a stream error event. */
  private applyChunk(chunk: StreamChunk, t: number, response: InvocationResponse): void {
    const blockDelta = chunk.contentBlockDelta;
    if (blockDelta) {
      const delta = blockDelta.delta ?? {};
      if (delta['reasoningContent'] !== undefined) {
        if (!this.ttftVisibleTokensOnly && response.timeToFirstToken === null) response.timeToFirstToken = t;
      } else if (delta['text'] !== undefined) {
        const text = delta['text'];
        if (typeof text !== 'string') {
          throw new BedrockResponseError(`contentBlockDelta.delta.text must be a string, got ${JSON.stringify(text)}`);
        }
        if (text !== '') {
          response.timeToFirstToken ??= t;
          response.responseText = (response.responseText ?? '') + text;
          response.timeToLastToken = t;
        }
      }
      if (deltaHasContent(delta)) {
        if (response.chunkTimes === null) response.chunkTimes = [t];
        else response.chunkTimes.push(t);
      }
    }
    if (chunk.contentBlockStop !== undefined) response.timeToLastToken = t;
    if (chunk.messageStop) response.stopReason = chunk.messageStop.stopReason ?? response.stopReason;
    const metadata = chunk.metadata;
    if (metadata) {
      const usage = metadata.usage ?? {};
      response.numTokensInput = add(response.numTokensInput, usage.inputTokens);
      response.numTokensOutput = add(response.numTokensOutput, usage.outputTokens);
      response.numTokensInputCached = add(response.numTokensInputCached, usage.cacheReadInputTokens);
      response.serverLatencyMs = metadata.metrics?.latencyMs ?? response.serverLatencyMs;
    }
    const streamError = streamErrorInChunk(chunk);
    if (streamError) {
      response.timeToLastToken = t;
      throw streamError;
    }
  }

  protected override configJSON(): Record<string, unknown> {
    return { ...super.configJSON(), ttft_visible_tokens_only: this.ttftVisibleTokensOnly };
  }
}
