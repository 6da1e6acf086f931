import {
  ConverseCommand,
  type ConverseCommandOutput,
  ConverseStreamCommand,
  type ConverseStreamCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { SignatureV4 } from '@smithy/signature-v4';
import { type Dispatcher, Pool } from 'undici';
import { stampArrival } from '../arrival.js';
import { type RequestTiming, requestTimingFor } from '../request-timing.js';
import { EventStreamDecoder, type EventStreamMessage } from './event-stream-decoder.js';
import { NodeSha256, sha256Hex } from './node-sha256.js';
import { StandardRetryStrategy } from './retry-strategy.js';
import {
  converseOutput,
  httpError,
  type ResponseMetadata,
  requestBody,
  requestPath,
  streamErrorMessage,
  streamEvent,
  streamException,
} from './wire-format.js';

/** AWS credentials (the SDK's `AwsCredentialIdentity`). */
export interface LeanCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Options of `LeanBedrockClient`. */
export interface LeanBedrockClientOptions {
  /** AWS region (signing and the default endpoint). Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string;
  /** Service URL. Default: `https://bedrock-runtime.{region}.amazonaws.com`. */
  endpoint?: string;
  /** Credentials or a provider. Default: the SDK's standard chain (`@aws-sdk/credential-provider-node`), built on first use. */
  credentials?: LeanCredentials | (() => Promise<LeanCredentials>);
  /** Tries per request, the first included (the SDK's `maxAttempts`, standard retry mode). Default 3. */
  maxAttempts?: number;
  /** Sockets per host in the keep-alive pool. Default `Infinity`: no queueing inside the client. */
  maxSockets?: number;
  /** An undici dispatcher of your own (`Pool`, `Agent`, …) for the endpoint's origin (then `maxSockets` is ignored). */
  dispatcher?: Dispatcher;
}

/** Per-call options, as the SDK's `send` takes them. */
export interface LeanSendOptions {
  abortSignal?: AbortSignal;
}

type AnyCommand = { input: object };

const STREAM_HIGH_WATER = 64;
const CREDENTIAL_REFRESH_MS = 5 * 60_000;

function abortError(signal: AbortSignal): Error {
  const error = new Error('Request aborted', { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}

function isStreamCommand(command: AnyCommand): boolean {
  return command instanceof ConverseStreamCommand || command.constructor?.name === 'ConverseStreamCommand';
}

function isConverseCommand(command: AnyCommand): boolean {
  return command instanceof ConverseCommand || command.constructor?.name === 'ConverseCommand';
}

function metadataOf(res: LeanResponse): ResponseMetadata {
  const h = res.headers;
  return {
    httpStatusCode: res.statusCode,
    requestId: h['x-amzn-requestid'] ?? h['x-amzn-request-id'] ?? h['x-amz-request-id'],
    extendedRequestId: h['x-amz-id-2'],
    cfId: h['x-amz-cf-id'],
  };
}

/**
 * Node's `http` errors for a connection lost before / after the response headers ("socket hang up" / "aborted",
 * both `ECONNRESET`): what the lean client threw when it ran on `node:http`, and what the SDK's Node handler throws.
 */
function connectionError(error: unknown, afterHeaders: boolean): unknown {
  if (!afterHeaders && (error as Error | null)?.name === 'AbortError') return error;
  const code = (error as { code?: unknown } | null)?.code;
  // undici's connect timeout (10 s): what the OS reports for a connect that never completes.
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return Object.assign(new Error(`connect ETIMEDOUT: ${(error as Error).message}`), { code: 'ETIMEDOUT' });
  }
  if (!afterHeaders && typeof code === 'string' && !code.startsWith('UND_ERR')) return error; // ECONNREFUSED, ...
  return Object.assign(new Error(afterHeaders ? 'aborted' : 'socket hang up'), { code: 'ECONNRESET' });
}

/**
 * Receives a response body as it arrives; `data` returns false to pause the socket. `at` is `performance.now()` read
 * when the socket read that carried `chunk` reached the HTTP layer.
 */
interface BodySink {
  data(chunk: Buffer, at: number): boolean;
  end(): void;
  error(error: unknown): void;
}

/** A response: status and headers, the body delivered to one `BodySink` (buffered until one is attached). */
class LeanResponse {
  private sink: BodySink | null = null;
  private early: Buffer[] | null = null;
  private earlyAt: number[] | null = null;
  private outcome: { error: unknown } | 'end' | null = null;
  constructor(
    readonly statusCode: number,
    readonly headers: Record<string, string>,
    private readonly abortFn: (error: Error) => void,
    private readonly resumeFn: () => void,
  ) {}

  /** Attaches the consumer; hands it what arrived before. */
  consume(sink: BodySink): void {
    this.sink = sink;
    const early = this.early;
    const earlyAt = this.earlyAt;
    this.early = null;
    this.earlyAt = null;
    if (early) for (let i = 0; i < early.length; i++) sink.data(early[i]!, earlyAt![i]!);
    const outcome = this.outcome;
    if (outcome === 'end') sink.end();
    else if (outcome) sink.error(outcome.error);
  }

  deliver(chunk: Buffer, at: number): boolean {
    if (this.sink) return this.sink.data(chunk, at);
    if (this.early) {
      this.early.push(chunk);
      this.earlyAt!.push(at);
    } else {
      this.early = [chunk];
      this.earlyAt = [at];
    }
    return true;
  }

  settle(outcome: { error: unknown } | 'end'): void {
    if (this.outcome) return;
    this.outcome = outcome;
    const sink = this.sink;
    if (!sink) return;
    if (outcome === 'end') sink.end();
    else sink.error(outcome.error);
  }

  resume(): void {
    this.resumeFn();
  }

  /**
   * Stops the exchange and closes its socket (a no-op once the response has ended); `error`, if given, goes to the
   * consumer first (an abort), else the consumer hears nothing more (it stopped reading).
   */
  destroy(error?: unknown): void {
    if (this.outcome) return;
    if (error !== undefined) this.settle({ error });
    this.outcome = { error: undefined };
    this.sink = null;
    this.abortFn(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
  }
}

function readBody(res: LeanResponse): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.consume({
      data: (chunk) => chunks.push(chunk) > 0,
      end: () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
      error: reject,
    });
  });
}

/**
 * One request on the undici pool (its low-level `dispatch`: callbacks, no streams): resolves with the response once
 * its headers arrive; fills the attribution instants; an abort before the headers rejects with `AbortError`, after
 * them fails the body as Node's `http` does.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private abortFn: ((error: Error) => void) | null = null;
  private response: LeanResponse | null = null;
  private done = false;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly resolve: (res: LeanResponse) => void,
    private readonly reject: (error: unknown) => void,
    private readonly signal: AbortSignal | undefined,
    private readonly timing: RequestTiming | undefined,
  ) {
    if (timing) {
      timing.requestSentAt = null;
      timing.responseHeadersAt = null;
    }
    if (signal) {
      this.onAbort = () => {
        // After the headers, Node's http fails the body as a lost connection ("aborted", ECONNRESET).
        if (this.response) this.response.destroy(connectionError(abortError(signal), true));
        else if (this.abortFn) this.abortFn(abortError(signal));
        else this.finish(abortError(signal));
      };
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abortFn = abort;
    if (this.done) abort(new Error('aborted'));
  }

  onRequestSent(): void {
    if (this.timing) this.timing.requestSentAt = performance.now();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.timing) this.timing.responseHeadersAt = performance.now();
    const headers: Record<string, string> = {};
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!.toString('latin1').toLowerCase();
      const value = rawHeaders[i + 1]!.toString('latin1');
      const prior = headers[name];
      headers[name] = prior === undefined ? value : `${prior}, ${value}`;
    }
    this.response = new LeanResponse(statusCode, headers, (error) => this.abortFn?.(error), resume);
    this.resolve(this.response);
    return true;
  }

  onData(chunk: Buffer): boolean {
    // The arrival instant of every event in this read: one clock read per socket read.
    return this.response ? this.response.deliver(chunk, performance.now()) : true;
  }

  onComplete(): void {
    this.finish(null);
  }

  onError(error: Error): void {
    this.finish(error);
  }

  private finish(error: Error | null): void {
    if (this.done) return;
    this.done = true;
    if (this.signal) this.signal.removeEventListener('abort', this.onAbort!);
    const res = this.response;
    if (res) res.settle(error ? { error: connectionError(error, true) } : 'end');
    else this.reject(connectionError(error ?? new Error('socket hang up'), false));
  }
}

/** What the SDK's deserialization middleware does to an error without `$metadata` (not a service error). */
function deserializationError(error: unknown, $metadata: ResponseMetadata): unknown {
  if (error && typeof error === 'object' && !('$metadata' in error)) {
    const e = error as { message?: string; $metadata?: ResponseMetadata };
    try {
      e.message +=
        '\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.';
    } catch {
      // a read-only message stays as it is
    }
    e.$metadata = { ...$metadata };
  }
  return error;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The ConverseStream response body as an async iterable of SDK-shaped events, decoded incrementally as bytes
 * arrive; errors (exception messages, a reset, a corrupt frame, an abort) are thrown from `next()` after the
 * events that preceded them.
 */
class EventStreamIterable
  implements AsyncIterable<Record<string, unknown>>, AsyncIterator<Record<string, unknown>>, BodySink
{
  private readonly items: Record<string, unknown>[] = [];
  private head = 0;
  private failure: { error: unknown } | null = null;
  private ended = false;
  private paused = false;
  private waiter: {
    resolve: (r: IteratorResult<Record<string, unknown>>) => void;
    reject: (e: unknown) => void;
  } | null = null;
  private readonly decoder = new EventStreamDecoder();
  private readonly onMessage = (message: EventStreamMessage) => this.message(message);
  // When the socket read being decoded arrived (`performance.now()`), stamped on the events decoded from it.
  private arrivedAt = 0;

  constructor(private readonly res: LeanResponse) {
    res.consume(this);
  }

  data(chunk: Buffer, at: number): boolean {
    if (this.failure || this.ended) return true;
    this.arrivedAt = at;
    try {
      this.decoder.push(chunk, this.onMessage);
    } catch (error) {
      // A stream error (exception message, corrupt frame) arrived with this read too.
      if (error !== null && typeof error === 'object' && Object.isExtensible(error)) stampArrival(error, at);
      this.fail(error);
      this.res.destroy();
    }
    return !this.paused;
  }

  end(): void {
    if (this.decoder.hasPartialMessage) this.fail(new Error('Truncated event message received.'));
    else this.finish();
  }

  error(error: unknown): void {
    this.fail(error);
  }

  private message({ headers, body }: EventStreamMessage): void {
    const kind = headers[':message-type'];
    if (kind === 'event') {
      const text = body.toString('utf8');
      const event = streamEvent(String(headers[':event-type']), text.length ? JSON.parse(text) : {});
      if (event) {
        stampArrival(event, this.arrivedAt);
        this.push(event);
      }
    } else if (kind === 'exception') {
      throw streamException(String(headers[':exception-type']), body.toString('utf8'));
    } else if (kind === 'error') {
      throw streamErrorMessage(headers[':error-code'] as string, headers[':error-message'] as string);
    } else {
      throw new Error(`Unrecognizable event type: ${headers[':event-type']}`);
    }
  }

  private push(event: Record<string, unknown>): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve({ value: event, done: false });
      return;
    }
    this.items.push(event);
    // Past the high-water mark, `data` returns false: the socket pauses until `next()` drains the queue.
    if (!this.paused && this.items.length - this.head > STREAM_HIGH_WATER) this.paused = true;
  }

  private fail(error: unknown): void {
    if (this.failure || this.ended) return;
    this.failure = { error };
    const waiter = this.waiter;
    if (waiter && this.head >= this.items.length) {
      this.waiter = null;
      waiter.reject(error);
      this.failure = { error: undefined };
      this.ended = true;
    }
  }

  private finish(): void {
    if (this.failure || this.ended) return;
    this.ended = true;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<Record<string, unknown>>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
        if (this.paused) {
          this.paused = false;
          this.res.resume();
        }
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      // An error is thrown once; the iterator is done after it.
      const { error } = this.failure;
      this.failure = null;
      this.ended = true;
      if (error !== undefined) return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Record<string, unknown>>> {
    if (!this.ended) {
      this.ended = true;
      this.failure = null;
      this.res.destroy();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<Record<string, unknown>> {
    return this;
  }
}

/**
 * A lean Bedrock Runtime client for Converse and ConverseStream: SigV4 (`@smithy/signature-v4` on native
 * SHA-256), keep-alive HTTP/1.1 on undici's `Pool#dispatch`, incremental event-stream decoding
 * (`@smithy/eventstream-codec`), the SDK's standard retry mode. `send` takes the SDK's `ConverseCommand` / `ConverseStreamCommand` and returns the outputs
 * and throws the errors the SDK's `BedrockRuntimeClient.send` does, at a fraction of its CPU per request and chunk.
 * It also fills the attribution instants registered with `trackRequestTiming(abortSignal)`.
 */
export class LeanBedrockClient {
  readonly region: string;
  readonly endpoint: URL;
  readonly maxAttempts: number;
  // A dispatcher of the caller's, or the client's own pool (created on first use, again after `destroy()`).
  private readonly givenDispatcher: Dispatcher | undefined;
  private pool: Pool | undefined;
  private readonly maxSockets: number;
  private readonly retry: StandardRetryStrategy;
  private readonly signer: SignatureV4;
  private readonly credentialSource: LeanBedrockClientOptions['credentials'];
  private cached: LeanCredentials | undefined;
  private pendingCredentials: Promise<LeanCredentials> | undefined;
  private readonly hostHeader: string;
  private readonly basePath: string;

  constructor(options: LeanBedrockClientOptions = {}) {
    const region = options.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'];
    if (!region) throw new Error('region is required: pass { region } or set AWS_REGION');
    this.region = region;
    this.endpoint = new URL(options.endpoint ?? `https://bedrock-runtime.${region}.amazonaws.com`);
    if (this.endpoint.protocol !== 'http:' && this.endpoint.protocol !== 'https:') {
      throw new Error(`endpoint must be an http: or https: URL, got ${options.endpoint}`);
    }
    const maxAttempts = options.maxAttempts ?? 3;
    if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
      throw new Error(`maxAttempts must be a positive integer, got ${maxAttempts}`);
    }
    this.maxAttempts = maxAttempts;
    this.retry = new StandardRetryStrategy(maxAttempts);
    this.givenDispatcher = options.dispatcher;
    const maxSockets = options.maxSockets ?? Infinity;
    if (!(maxSockets === Infinity || (Number.isInteger(maxSockets) && maxSockets >= 1))) {
      throw new Error(`maxSockets must be a positive integer or Infinity, got ${maxSockets}`);
    }
    this.maxSockets = maxSockets;
    this.credentialSource = options.credentials;
    this.hostHeader = this.endpoint.host;
    // A path in the endpoint URL prefixes every request path, as in the SDK.
    this.basePath = this.endpoint.pathname.replace(/\/+$/, '');
    this.signer = new SignatureV4({
      credentials: () => this.credentials(),
      region,
      service: 'bedrock',
      sha256: NodeSha256,
    });
  }

  private async credentials(): Promise<LeanCredentials> {
    const cached = this.cached;
    if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > CREDENTIAL_REFRESH_MS))
      return cached;
    this.pendingCredentials ??= (async () => {
      try {
        const source = this.credentialSource;
        let creds: LeanCredentials;
        if (typeof source === 'function') creds = await source();
        else if (source) creds = source;
        else {
          const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
          const provider = defaultProvider();
          creds = await provider();
        }
        this.cached = creds;
        return creds;
      } finally {
        this.pendingCredentials = undefined;
      }
    })();
    return this.pendingCredentials;
  }

  /** Sends a `ConverseStreamCommand`: resolves, as the SDK does, once the first event has arrived. */
  send(command: ConverseStreamCommand, options?: LeanSendOptions): Promise<ConverseStreamCommandOutput>;
  /** Sends a `ConverseCommand`. */
  send(command: ConverseCommand, options?: LeanSendOptions): Promise<ConverseCommandOutput>;
  async send(command: AnyCommand, options: LeanSendOptions = {}): Promise<unknown> {
    const stream = isStreamCommand(command);
    if (!stream && !isConverseCommand(command)) {
      throw new Error(
        `LeanBedrockClient sends ConverseCommand and ConverseStreamCommand only, got ${command.constructor?.name}`,
      );
    }
    const input = command.input as Record<string, unknown>;
    if (typeof input['modelId'] !== 'string' || input['modelId'].length === 0) {
      throw new Error('modelId is required');
    }
    const path = this.basePath + requestPath(input['modelId'], stream ? 'converse-stream' : 'converse');
    const body = Buffer.from(requestBody(input), 'utf8');
    const bodyHash = sha256Hex(body);
    const { abortSignal } = options;
    const timing = requestTimingFor(abortSignal);
    let totalRetryDelay = 0;
    let lastRetryCost: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const output = await this.attempt(stream, path, body, bodyHash, abortSignal, timing);
        (output['$metadata'] as ResponseMetadata).attempts = attempt;
        (output['$metadata'] as ResponseMetadata).totalRetryDelay = totalRetryDelay;
        this.retry.recordSuccess(lastRetryCost);
        return output;
      } catch (error) {
        const retry = abortSignal?.aborted ? undefined : this.retry.retryDelay(error, attempt);
        if (!retry) {
          // The SDK's retry middleware leaves an abort as it is.
          if (error && typeof error === 'object' && (error as Error).name !== 'AbortError') {
            const e = error as { $metadata?: ResponseMetadata };
            e.$metadata ??= {};
            e.$metadata.attempts = attempt;
            e.$metadata.totalRetryDelay = totalRetryDelay;
          }
          throw error;
        }
        lastRetryCost = retry.cost;
        totalRetryDelay += retry.delayMs;
        await sleep(retry.delayMs, abortSignal);
      }
    }
  }

  private async attempt(
    stream: boolean,
    path: string,
    body: Buffer,
    bodyHash: string,
    signal: AbortSignal | undefined,
    timing: RequestTiming | undefined,
  ): Promise<Record<string, unknown>> {
    if (signal?.aborted) throw abortError(signal);
    const url = this.endpoint;
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path,
      query: {},
      headers: {
        host: this.hostHeader,
        'content-type': 'application/json',
        'content-length': String(body.length),
        'x-amz-content-sha256': bodyHash,
      },
      body,
    });
    const res = await this.exchange(path, signed.headers, body, signal, timing);
    const status = res.statusCode ?? 0;
    const $metadata = metadataOf(res);
    let first: IteratorResult<Record<string, unknown>>;
    let events: EventStreamIterable;
    try {
      if (status < 200 || status >= 300) {
        throw httpError(status, res.headers, await readBody(res), $metadata);
      }
      if (!stream) {
        const text = await readBody(res);
        return converseOutput(text.length ? JSON.parse(text) : {}, $metadata);
      }
      events = new EventStreamIterable(res);
      // As the SDK does: wait for the first event, so that an exception in it is thrown (and retried) by `send`.
      first = await events.next();
    } catch (error) {
      throw deserializationError(error, $metadata);
    }
    const output: Record<string, unknown> = { $metadata };
    let replayed = false;
    output['stream'] = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          if (!replayed) {
            replayed = true;
            return Promise.resolve(first);
          }
          return events.next();
        },
        return: () => events.return(),
      }),
    };
    return output;
  }

  private exchange(
    path: string,
    headers: Record<string, string>,
    body: Buffer,
    signal: AbortSignal | undefined,
    timing: RequestTiming | undefined,
  ): Promise<LeanResponse> {
    return new Promise((resolve, reject) => {
      (this.givenDispatcher ?? this.ownPool()).dispatch(
        { origin: this.endpoint.origin, method: 'POST', path, headers, body },
        new Exchange(resolve, reject, signal, timing),
      );
    });
  }

  /**
   * Keep-alive HTTP/1.1 sockets to the endpoint, one request at a time each, at most `maxSockets`; no headers or body
   * timeout of its own (as node:http: the endpoint's timeout aborts the request).
   */
  private ownPool(): Pool {
    this.pool ??= new Pool(this.endpoint.origin, {
      connections: this.maxSockets === Infinity ? null : this.maxSockets,
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    return this.pool;
  }

  /**
   * Closes the keep-alive sockets (when the pool is the client's own); requests in flight fail. The client stays
   * usable: a later request opens new sockets (as with a destroyed `node:http` Agent).
   */
  destroy(): void {
    const pool = this.pool;
    this.pool = undefined;
    pool?.destroy().catch(() => {});
  }
}
