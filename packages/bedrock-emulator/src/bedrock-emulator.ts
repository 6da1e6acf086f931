import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { FAULT_HEADER, FaultSpecError, parseFaultHeader, pickFault, validateFaultRules } from './faults.js';
import { STATUS_OF_STREAM_EXCEPTION, sendHttpError } from './http-errors.js';
import { resolveProfile } from './profile.js';
import { generateResponse, planStream, type StreamEvent, type StreamPlan } from './response-plan.js';
import { SeededRandom } from './seeded-random.js';
import { type ScheduledTask, TickScheduler } from './tick-scheduler.js';
import type {
  BedrockEmulator,
  EmulatorOptions,
  FaultSpec,
  GroundTruth,
  LatencyProfile,
  Operation,
  Recording,
} from './types.js';

const ROUTE = /^\/model\/([^/]+)\/(converse|converse-stream)$/;
const MAX_BODY_BYTES = 25 * 1024 * 1024;
const FAULT_SEED_SALT = 0x2545f491;

/** Epoch milliseconds with sub-millisecond precision. */
const epochMs = (perfNow: number) => performance.timeOrigin + perfNow;

interface EmulatorState {
  readonly profile: LatencyProfile;
  readonly seed: number;
  readonly faults: NonNullable<EmulatorOptions['faults']>;
  readonly recordings: Record<string, Recording>;
  readonly scheduler: TickScheduler;
  readonly truths: Map<string, GroundTruth>;
  readonly truthLimit: number;
  requestCount: number;
}

/** Writes a paced stream: one scheduler task per stream, re-scheduled for each planned write. */
class StreamWriter implements ScheduledTask {
  dueAt = 0;
  seq = 0;
  private next = 0;
  private ended = false;
  private lastWriteAt = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly plan: StreamPlan,
    private readonly startedAt: number,
    private readonly truth: GroundTruth,
    private readonly scheduler: TickScheduler,
  ) {
    res.on('close', () => {
      this.ended = true;
    });
  }

  start(): void {
    this.scheduleNext();
  }

  run(): void {
    if (this.ended || this.res.destroyed) return;
    const write = this.plan.writes[this.next];
    if (write) {
      this.next++;
      this.res.write(write.bytes);
      this.lastWriteAt = performance.now();
      const at = epochMs(this.lastWriteAt);
      const t = this.truth;
      t.deltas += write.deltas;
      if (write.firstDelta) t.firstDeltaAt = at;
      if (write.firstText) t.firstTextDeltaAt = at;
      t.lastByteAt = at;
    } else {
      this.finish();
      return;
    }
    this.scheduleNext();
  }

  private scheduleNext(): void {
    const write = this.plan.writes[this.next];
    if (write) {
      this.scheduler.schedule(this, this.startedAt + write.atMs);
      return;
    }
    let dueAt = this.startedAt + this.plan.endAtMs;
    if (this.plan.end === 'reset') dueAt = Math.max(dueAt, this.lastWriteAt + this.plan.resetGraceMs);
    if (this.next > 0 && dueAt <= this.lastWriteAt) {
      // The end is due with the last write: do it now.
      this.finish();
      return;
    }
    this.scheduler.schedule(this, dueAt);
  }

  private finish(): void {
    if (this.ended || this.res.destroyed) return;
    switch (this.plan.end) {
      case 'end':
        this.ended = true;
        this.res.end();
        this.truth.lastByteAt = epochMs(performance.now());
        break;
      case 'reset':
        this.ended = true;
        resetSocket(this.res.socket);
        break;
      case 'stall':
        // Nothing more is sent; the socket stays open until the client gives up or the emulator closes.
        break;
    }
  }
}

/** A single delayed action on the scheduler (a Converse body, or a delayed fault). */
class OneShot implements ScheduledTask {
  dueAt = 0;
  seq = 0;
  constructor(private readonly action: () => void) {}
  run(): void {
    this.action();
  }
}

/**
 * Drops the connection mid-response. The bytes already written still reach the client before the close (a TCP RST
 * would make the client's kernel discard what it had received but not yet read), and the client's HTTP stack reports
 * the cut response as `ECONNRESET` ("aborted").
 */
function resetSocket(socket: Socket | null): void {
  if (!socket || socket.destroyed) return;
  socket.destroy();
}

function recordTruth(state: EmulatorState, truth: GroundTruth): void {
  state.truths.set(truth.requestId, truth);
  if (state.truths.size > state.truthLimit) {
    const oldest = state.truths.keys().next().value;
    if (oldest !== undefined) state.truths.delete(oldest);
  }
}

function handle(state: EmulatorState, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const match = ROUTE.exec(q >= 0 ? url.slice(0, q) : url);
  const requestId = randomUUID();
  res.setHeader('x-amzn-RequestId', requestId);
  if (!match || req.method !== 'POST') {
    req.resume();
    sendHttpError(res, 404, `No operation at ${req.method} ${url}`, 'UnknownOperationException');
    return;
  }
  let modelId: string;
  try {
    modelId = decodeURIComponent(match[1]!);
  } catch {
    req.resume();
    sendHttpError(res, 400, `The model id in ${url} is not valid URL encoding.`);
    return;
  }
  const operation = match[2] as Operation;

  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    const receivedPerf = performance.now();
    const index = state.requestCount++;
    const truth: GroundTruth = { requestId, modelId, operation, receivedAt: epochMs(receivedPerf), deltas: 0 };
    recordTruth(state, truth);
    if (size > MAX_BODY_BYTES) {
      sendHttpError(res, 400, `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
      return;
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      sendHttpError(res, 400, 'The request body is not a JSON object.');
      return;
    }
    const invalid = validateRequest(body);
    if (invalid) {
      sendHttpError(res, 400, invalid);
      return;
    }
    let fault: FaultSpec | undefined;
    const header = req.headers[FAULT_HEADER];
    try {
      fault =
        typeof header === 'string'
          ? parseFaultHeader(header)
          : pickFault(state.faults, modelId, operation, SeededRandom.forIndex(state.seed ^ FAULT_SEED_SALT, index));
    } catch (err) {
      if (!(err instanceof FaultSpecError)) throw err;
      sendHttpError(res, 400, err.message);
      return;
    }
    if (fault) truth.fault = fault.kind;
    respond(state, res, body, operation, modelId, fault, truth, receivedPerf, SeededRandom.forIndex(state.seed, index));
  });
}

/** What the service would refuse in a request body, if anything (a few checks that clients get wrong). */
function validateRequest(body: Record<string, unknown>): string | undefined {
  const messages = body['messages'];
  if (messages !== undefined && !Array.isArray(messages)) return 'messages must be an array of messages.';
  const cfg = body['inferenceConfig'];
  if (cfg !== undefined && (cfg === null || typeof cfg !== 'object')) return 'inferenceConfig must be an object.';
  const maxTokens = (cfg as Record<string, unknown> | undefined)?.['maxTokens'];
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && (maxTokens as number) >= 1)) {
    return `The maximum tokens you requested (${JSON.stringify(maxTokens)}) is invalid: maxTokens must be an integer of at least 1.`;
  }
  return undefined;
}

function respond(
  state: EmulatorState,
  res: ServerResponse,
  body: Record<string, unknown>,
  operation: Operation,
  modelId: string,
  fault: FaultSpec | undefined,
  truth: GroundTruth,
  receivedPerf: number,
  rng: SeededRandom,
): void {
  const sent = () => {
    const at = epochMs(performance.now());
    truth.headersSentAt ??= at;
    truth.lastByteAt = at;
  };
  if (fault?.kind === 'http') {
    sendHttpError(res, fault.status, fault.message);
    sent();
    return;
  }
  if (fault?.kind === 'stall' && !fault.afterDeltas) return;

  const { profile } = state;
  const recording = state.recordings[modelId];
  if (operation === 'converse') {
    let json: Record<string, unknown>;
    let delayMs: number;
    if (recording?.converse) {
      json = recording.converse;
      delayMs = rng.latency(profile.ttftMs);
    } else {
      const generated = generateResponse(body, profile, rng);
      json = generated.converseBody;
      delayMs = generated.latencyMs;
    }
    const action = () => {
      if (res.destroyed) return;
      if (fault?.kind === 'stream-exception') {
        sendHttpError(res, STATUS_OF_STREAM_EXCEPTION[fault.type], fault.message);
        sent();
      } else if (fault?.kind === 'reset') {
        resetSocket(res.socket);
      } else if (fault?.kind === 'stall') {
        // a stall after deltas: a Converse call has no deltas, so it simply never answers.
      } else {
        let text = JSON.stringify(json);
        // A corrupt Converse body: the JSON is cut in half.
        if (fault?.kind === 'corrupt-frame') text = text.slice(0, text.length >> 1);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        sent();
      }
    };
    state.scheduler.schedule(new OneShot(action), receivedPerf + delayMs);
    return;
  }

  let events: readonly StreamEvent[];
  let ttftMs: number;
  if (recording?.stream) {
    events = recording.stream as StreamEvent[];
    ttftMs = rng.latency(profile.ttftMs);
  } else {
    const generated = generateResponse(body, profile, rng);
    events = generated.events;
    ttftMs = generated.ttftMs;
  }
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
  res.flushHeaders();
  truth.headersSentAt = epochMs(performance.now());
  // Every frame is encoded here, before the pacing starts.
  const plan = planStream(events, ttftMs, profile.interTokenDelayMs, profile.padding, fault);
  new StreamWriter(res, plan, receivedPerf, truth, state.scheduler).start();
}

/**
 * Starts a local Amazon Bedrock Runtime server for `POST /model/{modelId}/converse` and `/converse-stream`, usable
 * by the real `BedrockRuntimeClient` (give it `endpoint: emulator.url` and a `NodeHttpHandler`).
 */
export async function startBedrockEmulator(options: EmulatorOptions = {}): Promise<BedrockEmulator> {
  const profile = resolveProfile(options.profile);
  const faults = options.faults ?? [];
  validateFaultRules(faults);
  const state: EmulatorState = {
    profile,
    seed: options.seed ?? 1,
    faults,
    recordings: options.recordings ?? {},
    scheduler: new TickScheduler(),
    truths: new Map(),
    truthLimit: options.groundTruthLimit ?? 100_000,
    requestCount: 0,
  };
  const server = createServer({ noDelay: true, keepAlive: true }, (req, res) => handle(state, req, res));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    get requestCount() {
      return state.requestCount;
    },
    groundTruth: (requestId) => state.truths.get(requestId),
    groundTruths: () => [...state.truths.values()],
    close() {
      closing ??= new Promise<void>((resolve) => {
        state.scheduler.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
