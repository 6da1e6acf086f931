import type { BedrockRuntimeSender } from '../bedrock-client.js';

/** How a fake `send` answers. */
export interface FakeAnswer {
  /** Stream events (ConverseStream) yielded in order. */
  events?: Record<string, unknown>[];
  /** Thrown from the stream iterator after all `events` (as the SDK throws stream exceptions). */
  throwAfterEvents?: unknown;
  /** The Converse body (Converse). */
  body?: Record<string, unknown>;
  /** Thrown by `send` itself (an HTTP-level failure). */
  sendError?: unknown;
  requestId?: string;
  attempts?: number;
  /** Milliseconds to wait before each event (one number for all, or one per event). */
  delayMs?: number | number[];
}

/** A fake client whose `send` replays recorded events or bodies; it keeps every command and option it got. */
export function fakeClient(answer: FakeAnswer | ((input: Record<string, unknown>) => FakeAnswer)) {
  const calls: { input: Record<string, unknown>; abortSignal?: AbortSignal }[] = [];
  const client: BedrockRuntimeSender & { calls: typeof calls } = {
    calls,
    async send(command: { input: Record<string, unknown> }, options?: { abortSignal?: AbortSignal }) {
      calls.push({ input: command.input, ...(options?.abortSignal ? { abortSignal: options.abortSignal } : {}) });
      const a = typeof answer === 'function' ? answer(command.input) : answer;
      if (a.sendError) throw a.sendError;
      const $metadata = { httpStatusCode: 200, requestId: a.requestId ?? 'fake-request-id', attempts: a.attempts ?? 1 };
      if (a.body) return { ...a.body, $metadata };
      async function* stream() {
        for (const [i, event] of (a.events ?? []).entries()) {
          const delay = Array.isArray(a.delayMs) ? a.delayMs[i] : a.delayMs;
          if (delay) await new Promise((r) => setTimeout(r, delay));
          yield event;
        }
        if (a.throwAfterEvents !== undefined) throw a.throwAfterEvents;
      }
      return { $metadata, stream: stream() };
    },
  };
  return client;
}
