import { BedrockRuntimeClient, type ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { BedrockEmulator, FaultSpec } from '../index.js';

/** A real SDK client against the emulator: NodeHttpHandler (HTTP/1.1), fake static credentials, no retries by default. */
export function sdkClient(
  emulator: BedrockEmulator,
  opts: { maxAttempts?: number; faultHeader?: FaultSpec; requestTimeout?: number } = {},
): BedrockRuntimeClient {
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' },
    maxAttempts: opts.maxAttempts ?? 1,
    requestHandler: new NodeHttpHandler({ requestTimeout: opts.requestTimeout ?? 0 }),
  });
  const fault = opts.faultHeader;
  if (fault) {
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers['x-llmeter-fault'] = JSON.stringify(fault);
        return next(args);
      },
      { step: 'build', name: 'llmeterFaultHeader' },
    );
  }
  return client;
}

/** A user message of `text`. */
export function userMessage(text: string) {
  return [{ role: 'user' as const, content: [{ text }] }];
}

/** Drains an SDK event stream into an array; the error it ends with, if any, is returned beside the events. */
export async function collect(
  stream: AsyncIterable<ConverseStreamOutput> | undefined,
): Promise<{ events: ConverseStreamOutput[]; error?: unknown }> {
  const events: ConverseStreamOutput[] = [];
  if (!stream) return { events };
  try {
    for await (const e of stream) events.push(e);
  } catch (error) {
    return { events, error };
  }
  return { events };
}

/** Text of the text deltas of a stream. */
export function streamedText(events: ConverseStreamOutput[]): string {
  let s = '';
  for (const e of events) if (e.contentBlockDelta?.delta?.text) s += e.contentBlockDelta.delta.text;
  return s;
}

/** The SDK's stream events as plain `{ type: payload }` objects, without `undefined` members. */
export function plain(events: ConverseStreamOutput[]): Record<string, unknown>[] {
  return events.map((e) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>);
}

/** The member name of each SDK stream event, in order. */
export function eventTypes(events: ConverseStreamOutput[]): string[] {
  return events.map((e) => Object.entries(e).find(([, v]) => v !== undefined)?.[0] ?? '?');
}
