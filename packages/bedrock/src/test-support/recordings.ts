import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The real Bedrock recordings shared by the project (copied from `../shared/fixtures/bedrock` into `src/__fixtures__/bedrock`). */
export const RECORDINGS_DIR = fileURLToPath(new URL('../__fixtures__/bedrock/', import.meta.url));

/** A ConverseStream recording: its events in order, each `{ eventType: payload }`. */
export function streamRecording(file: string): Record<string, unknown>[] {
  return readFileSync(RECORDINGS_DIR + file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A Converse recording: the JSON body. */
export function converseRecording(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(RECORDINGS_DIR + file, 'utf8')) as Record<string, unknown>;
}

/** Every recording file of a kind. */
export function recordingFiles(kind: 'stream' | 'converse'): string[] {
  const suffix = kind === 'stream' ? '.chunks.txt' : '.json';
  return readdirSync(RECORDINGS_DIR)
    .filter((f) => f.endsWith(suffix))
    .sort();
}

type Delta = { text?: unknown; reasoningContent?: unknown };

/**
 * What the founding document's rules give for a stream recording, derived from its events by a plain reading
 * (no timing): the visible text, summed usage, stop reason and last server latency.
 */
export function expectedFromStream(events: Record<string, unknown>[]) {
  let text: string | null = null;
  let input: number | null = null;
  let output: number | null = null;
  let cached: number | null = null;
  let stopReason: string | null = null;
  let latency: number | null = null;
  for (const event of events) {
    const delta = (event['contentBlockDelta'] as { delta?: Delta } | undefined)?.delta;
    if (delta && delta.reasoningContent === undefined && typeof delta.text === 'string' && delta.text !== '') {
      text = (text ?? '') + delta.text;
    }
    const stop = event['messageStop'] as { stopReason?: string } | undefined;
    if (stop?.stopReason) stopReason = stop.stopReason;
    const meta = event['metadata'] as
      | { usage?: Record<string, number | undefined>; metrics?: { latencyMs?: number } }
      | undefined;
    if (meta) {
      const u = meta.usage ?? {};
      if (u['inputTokens'] !== undefined) input = (input ?? 0) + u['inputTokens'];
      if (u['outputTokens'] !== undefined) output = (output ?? 0) + u['outputTokens'];
      if (u['cacheReadInputTokens'] !== undefined) cached = (cached ?? 0) + u['cacheReadInputTokens'];
      if (meta.metrics?.latencyMs !== undefined) latency = meta.metrics.latencyMs;
    }
  }
  return { text, input, output, cached, stopReason, latency };
}

/** What the rules give for a Converse recording: text parts joined, usage, stop reason, server latency. */
export function expectedFromConverse(body: Record<string, unknown>) {
  const content = ((body['output'] as { message?: { content?: { text?: unknown }[] } }).message?.content ?? []) as {
    text?: unknown;
  }[];
  const usage = (body['usage'] ?? {}) as Record<string, number | undefined>;
  return {
    text: content
      .filter((c) => typeof c.text === 'string')
      .map((c) => c.text)
      .join(''),
    input: usage['inputTokens'] ?? null,
    output: usage['outputTokens'] ?? null,
    cached: usage['cacheReadInputTokens'] ?? null,
    stopReason: (body['stopReason'] as string | undefined) ?? null,
    latency: (body['metrics'] as { latencyMs?: number } | undefined)?.latencyMs ?? null,
  };
}
