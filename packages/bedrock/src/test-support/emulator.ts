import { basename } from 'node:path';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockEmulator, EmulatorOptions, Recording } from '@llmeter/bedrock-emulator';
import { startBedrockEmulator } from '@llmeter/bedrock-emulator';
import { type BedrockClientOptions, createBedrockRuntimeClient } from '../bedrock-client.js';
import { converseRecording, recordingFiles, streamRecording } from './recordings.js';

/** Static fake credentials: the emulator does not check signatures. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' };

/** A real SDK client for the emulator, made by our own helper (no retries unless asked). */
export function emulatorClient(emulator: BedrockEmulator, options: BedrockClientOptions = {}): BedrockRuntimeClient {
  return createBedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
    ...options,
  });
}

/** The recording name of a fixture file: `amazon-bedrock-text.chunks.txt` → `amazon-bedrock-text`. */
export function recordingName(file: string): string {
  return basename(file).replace(/\.chunks\.txt$|\.json$/, '');
}

/** Every shared recording, keyed by its name, to be used as the model id that replays it. */
export function allRecordings(): Record<string, Recording> {
  const out: Record<string, Recording> = {};
  for (const file of recordingFiles('stream')) out[recordingName(file)] = { stream: streamRecording(file) };
  for (const file of recordingFiles('converse')) {
    out[recordingName(file)] = { ...out[recordingName(file)], converse: converseRecording(file) };
  }
  return out;
}

/** Starts an emulator; the caller closes it. */
export function startEmulator(options: EmulatorOptions = {}): Promise<BedrockEmulator> {
  return startBedrockEmulator({ seed: 3, ...options });
}

/** The `http.Agent` of a client made by `createBedrockRuntimeClient` (to see whether its sockets were closed). */
export function httpAgentOf(client: BedrockRuntimeClient): import('node:http').Agent {
  const handler = client.config.requestHandler as unknown as {
    httpHandlerConfigs(): { httpAgent?: import('node:http').Agent };
  };
  const agent = handler.httpHandlerConfigs().httpAgent;
  if (!agent) throw new Error('the client has not sent a request yet');
  return agent;
}

/** Sockets of an agent that are in use (not idle in the keep-alive pool). */
export function socketsInUse(agent: import('node:http').Agent): number {
  return Object.values(agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0);
}
