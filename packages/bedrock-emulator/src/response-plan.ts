import { encodeCorruptFrame, encodeEventFrame, encodeExceptionFrame, padding } from './event-stream-frames.js';
import type { SeededRandom } from './seeded-random.js';
import { countInputTokens, fillerText } from './token-count.js';
import type { FaultSpec, LatencyProfile, StreamExceptionType } from './types.js';

/** One stream event: `{ [eventType]: payload }` as the SDK decodes it and the recordings store it. */
export type StreamEvent = Record<string, Record<string, unknown>>;

/** One paced write: the frames due at `atMs` after the request arrived, pre-encoded into one buffer. */
export interface PlannedWrite {
  atMs: number;
  bytes: Uint8Array;
  /** `contentBlockDelta` events in this write. */
  deltas: number;
  /** This write holds the first delta of any kind. */
  firstDelta: boolean;
  /** This write holds the first non-empty text delta. */
  firstText: boolean;
}

/** A whole stream response: the writes, then what happens at `endAtMs`. */
export interface StreamPlan {
  writes: PlannedWrite[];
  end: 'end' | 'reset' | 'stall';
  endAtMs: number;
  /** A reset waits at least this long after the last write (ms). */
  resetGraceMs: number;
}

/** Default `graceMs` of a reset fault. */
export const RESET_GRACE_MS = 100;

/** A generated response before it is paced and framed. */
export interface GeneratedResponse {
  events: StreamEvent[];
  converseBody: Record<string, unknown>;
  /** Planned time from arrival to the last delta (ms): the response's `metrics.latencyMs`. */
  latencyMs: number;
  ttftMs: number;
}

/** Default message of each in-stream exception, close to the service's wording. */
export const EXCEPTION_MESSAGES: Record<StreamExceptionType, string> = {
  internalServerException: 'The server encountered an internal error while processing the request.',
  modelStreamErrorException: 'The model encountered an error while streaming the response.',
  modelTimeoutException: 'The model took too long to respond.',
  serviceUnavailableException: 'The service is temporarily unable to handle the request.',
  throttlingException: 'Too many requests, please wait before trying again.',
  validationException: 'The request failed validation.',
};

const SIGNATURE = 'RW11bGF0ZWQgcmVhc29uaW5nIHNpZ25hdHVyZSBmcm9tIEBsbG1ldGVyL2JlZHJvY2stZW11bGF0b3I=';

function requestMaxTokens(body: Record<string, unknown>): number | undefined {
  const cfg = body['inferenceConfig'];
  if (cfg && typeof cfg === 'object') {
    const m = (cfg as Record<string, unknown>)['maxTokens'];
    if (typeof m === 'number' && Number.isFinite(m)) return Math.floor(m);
  }
  return undefined;
}

/** Generates a response for a Converse/ConverseStream request body from the profile and the request's seeded random. */
export function generateResponse(
  body: Record<string, unknown>,
  profile: LatencyProfile,
  rng: SeededRandom,
): GeneratedResponse {
  const inputTokens = countInputTokens(body);
  const ttftMs = rng.latency(profile.ttftMs);
  const wanted =
    typeof profile.outputTokens === 'number'
      ? Math.max(0, Math.floor(profile.outputTokens))
      : rng.int(Math.floor(profile.outputTokens.min), Math.floor(profile.outputTokens.max));
  const wordStart = rng.int(0, 1000);
  const maxTokens = requestMaxTokens(body) ?? Number.POSITIVE_INFINITY;
  const perDelta = Math.max(1, Math.floor(profile.tokensPerDelta));

  const reasoningTokens = Math.min(Math.max(0, Math.floor(profile.reasoningDeltas)) * perDelta, maxTokens);
  const textTokens = Math.min(wanted, Math.max(0, maxTokens - reasoningTokens));
  const stopReason = textTokens < wanted ? 'max_tokens' : 'end_turn';

  const events: StreamEvent[] = [{ messageStart: { role: 'assistant' } }];
  const content: Record<string, unknown>[] = [];
  let block = 0;
  if (reasoningTokens > 0) {
    let reasoning = '';
    for (let t = 0; t < reasoningTokens; t += perDelta) {
      const text = fillerText(wordStart + 7 + t, Math.min(perDelta, reasoningTokens - t), t > 0);
      reasoning += text;
      events.push({ contentBlockDelta: { contentBlockIndex: block, delta: { reasoningContent: { text } } } });
    }
    events.push({
      contentBlockDelta: { contentBlockIndex: block, delta: { reasoningContent: { signature: SIGNATURE } } },
    });
    events.push({ contentBlockStop: { contentBlockIndex: block } });
    content.push({ reasoningContent: { reasoningText: { text: reasoning, signature: SIGNATURE } } });
    block++;
  }
  if (textTokens > 0 || profile.emptyDeltas) {
    if (profile.emptyDeltas) events.push({ contentBlockDelta: { contentBlockIndex: block, delta: { text: '' } } });
    let text = '';
    for (let t = 0; t < textTokens; t += perDelta) {
      const piece = fillerText(wordStart + t, Math.min(perDelta, textTokens - t), t > 0);
      text += piece;
      events.push({ contentBlockDelta: { contentBlockIndex: block, delta: { text: piece } } });
    }
    if (profile.emptyDeltas) events.push({ contentBlockDelta: { contentBlockIndex: block, delta: { text: '' } } });
    events.push({ contentBlockStop: { contentBlockIndex: block } });
    content.push({ text });
  }

  let deltas = 0;
  for (const e of events) if ('contentBlockDelta' in e) deltas++;
  const latencyMs = Math.round(ttftMs + Math.max(0, deltas - 1) * profile.interTokenDelayMs);
  const outputTokens = reasoningTokens + textTokens;
  const cacheRead = Math.max(0, Math.floor(profile.cacheReadInputTokens));
  const cacheWrite = Math.max(0, Math.floor(profile.cacheWriteInputTokens));
  const totalTokens = inputTokens + outputTokens + cacheRead + cacheWrite;

  events.push({ messageStop: { stopReason } });
  const streamUsage = (input: number, output: number, read: number, write: number): Record<string, unknown> => {
    const u: Record<string, unknown> = { inputTokens: input, outputTokens: output };
    if (read > 0) u['cacheReadInputTokens'] = read;
    if (write > 0) u['cacheWriteInputTokens'] = write;
    u['totalTokens'] = input + output + read + write;
    return u;
  };
  if (profile.splitMetadata) {
    events.push({ metadata: { usage: streamUsage(inputTokens, 0, cacheRead, cacheWrite) } });
    events.push({ metadata: { metrics: { latencyMs }, usage: streamUsage(0, outputTokens, 0, 0) } });
  } else {
    events.push({
      metadata: { metrics: { latencyMs }, usage: streamUsage(inputTokens, outputTokens, cacheRead, cacheWrite) },
    });
  }

  const converseBody: Record<string, unknown> = {
    metrics: { latencyMs },
    output: { message: { content, role: 'assistant' } },
    stopReason,
    usage: {
      cacheReadInputTokenCount: cacheRead,
      cacheReadInputTokens: cacheRead,
      cacheWriteInputTokenCount: cacheWrite,
      cacheWriteInputTokens: cacheWrite,
      inputTokens,
      outputTokens,
      serverToolUsage: {},
      totalTokens,
    },
  };
  return { events, converseBody, latencyMs, ttftMs };
}

/** Faults that act inside a stream. */
export type StreamFault = Exclude<FaultSpec, { kind: 'http' }>;

/**
 * Paces events and frames them: the first delta (and every event before it) at `ttftMs`, each further delta
 * `interTokenDelayMs` later, every other event with the delta before it. A fault cuts the stream before delta
 * `afterDeltas + 1` (or after the last delta when there are fewer) and happens at that delta's instant.
 */
export function planStream(
  events: readonly StreamEvent[],
  ttftMs: number,
  interTokenDelayMs: number,
  withPadding: boolean,
  fault?: StreamFault,
): StreamPlan {
  const slotOf = new Array<number>(events.length);
  let deltaIdx = -1;
  let lastDeltaEvent = -1;
  let cut = events.length;
  const cutAfter = fault ? Math.max(0, Math.floor(fault.afterDeltas ?? 0)) : Number.POSITIVE_INFINITY;
  for (let i = 0; i < events.length; i++) {
    const isDelta = 'contentBlockDelta' in events[i]!;
    if (isDelta) {
      deltaIdx++;
      if (deltaIdx === cutAfter && cut === events.length) cut = i;
      lastDeltaEvent = i;
    }
    slotOf[i] = Math.max(0, deltaIdx);
  }
  if (fault && cut === events.length && lastDeltaEvent >= 0) cut = lastDeltaEvent + 1;
  const at = (slot: number) => ttftMs + slot * interTokenDelayMs;

  const writes: PlannedWrite[] = [];
  let pending: Uint8Array[] = [];
  let pendingSlot = -1;
  let pendingDeltas = 0;
  let pendingFirstDelta = false;
  let pendingFirstText = false;
  let sawDelta = false;
  let sawText = false;
  const flush = () => {
    if (pendingSlot < 0) return;
    writes.push({
      atMs: at(pendingSlot),
      bytes: concat(pending),
      deltas: pendingDeltas,
      firstDelta: pendingFirstDelta,
      firstText: pendingFirstText,
    });
    pending = [];
    pendingDeltas = 0;
    pendingFirstDelta = false;
    pendingFirstText = false;
  };
  const add = (slot: number, frame: Uint8Array) => {
    if (slot !== pendingSlot) {
      flush();
      pendingSlot = slot;
    }
    pending.push(frame);
  };

  for (let i = 0; i < cut; i++) {
    const event = events[i]!;
    const type = Object.keys(event)[0]!;
    const payload = event[type]!;
    if (type === 'contentBlockDelta') {
      pendingDeltasFor(slotOf[i]!);
      pendingDeltas++;
      if (!sawDelta) {
        sawDelta = true;
        pendingFirstDelta = true;
      }
      const delta = payload['delta'] as Record<string, unknown> | undefined;
      if (!sawText && typeof delta?.['text'] === 'string' && delta['text'] !== '') {
        sawText = true;
        pendingFirstText = true;
      }
    }
    add(slotOf[i]!, encodeEventFrame(type, withPadding ? { ...payload, p: padding(i) } : payload));
  }

  let endSlot = cut < events.length ? slotOf[cut]! : Math.max(0, deltaIdx);
  if (!fault) endSlot = Math.max(pendingSlot, 0);
  let end: StreamPlan['end'] = 'end';
  if (fault?.kind === 'stream-exception') {
    add(endSlot, encodeExceptionFrame(fault.type, fault.message ?? EXCEPTION_MESSAGES[fault.type]));
  } else if (fault?.kind === 'corrupt-frame') {
    const payload = { contentBlockIndex: 0, delta: { text: ' corrupted' } };
    add(endSlot, encodeCorruptFrame('contentBlockDelta', withPadding ? { ...payload, p: padding(cut) } : payload));
  } else if (fault?.kind === 'reset') {
    end = 'reset';
  } else if (fault?.kind === 'stall') {
    end = 'stall';
  }
  flush();
  const resetGraceMs = fault?.kind === 'reset' ? (fault.graceMs ?? RESET_GRACE_MS) : 0;
  return { writes, end, endAtMs: at(endSlot), resetGraceMs };

  // Deltas are counted on the write they land in; kept as a function so the slot switch happens first.
  function pendingDeltasFor(slot: number) {
    if (slot !== pendingSlot) {
      flush();
      pendingSlot = slot;
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = Buffer.allocUnsafe(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
