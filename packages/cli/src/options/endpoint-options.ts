import type { BedrockConverseStreamOptions, BedrockEndpointOptions } from '@llmeter/bedrock';
import { BedrockConverse, BedrockConverseStream } from '@llmeter/bedrock';
import type { BedrockEmulator, EmulatorOptions, FaultRule, LatencyProfile } from '@llmeter/bedrock-emulator';
import { FaultSpecError, startBedrockEmulator } from '@llmeter/bedrock-emulator';
import type { Endpoint } from '@llmeter/core';
import { type Command, Option } from 'commander';
import { CliExit } from '../cli-io.js';
import { jsonOrFile, nonEmpty, nonNegativeInteger, positiveInteger, url } from './option-parsers.js';

/** The `--endpoint` choices. */
export const ENDPOINT_KINDS = ['emulator', 'bedrock-converse', 'bedrock-converse-stream'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

/** The `--api` choices (which Bedrock API the emulator is measured through). */
export const EMULATOR_APIS = ['converse-stream', 'converse'] as const;

/** The model id sent to the emulator when `--model-id` is not given (the emulator accepts any). */
export const EMULATOR_MODEL_ID = 'llmeter.emulated-model-v1';

/** Static fake credentials: the emulator checks none, and no real credentials are ever read for it. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' };

/** Parsed endpoint flags. */
export interface EndpointFlags {
  endpoint: EndpointKind;
  api: (typeof EMULATOR_APIS)[number];
  modelId?: string;
  region?: string;
  endpointUrl?: string;
  maxAttempts?: number;
  emulatorProfile?: unknown;
  emulatorFaults?: unknown;
  emulatorSeed?: number;
  transport?: 'sdk' | 'lean';
  ttftAnyDelta?: boolean;
}

/** Adds the endpoint flags shared by `run`, `sweep` and `heatmap`. */
export function addEndpointOptions(cmd: Command): Command {
  return cmd
    .optionsGroup('Endpoint:')
    .addOption(
      new Option(
        '--endpoint <kind>',
        'what to measure: the embedded emulator, or Amazon Bedrock (Converse or ConverseStream)',
      )
        .choices(ENDPOINT_KINDS)
        .default('emulator'),
    )
    .addOption(
      new Option('--api <api>', 'with --endpoint emulator: the Bedrock API to call')
        .choices(EMULATOR_APIS)
        .default('converse-stream'),
    )
    .option(
      '--model-id <id>',
      `model id, inference profile or ARN (required for Bedrock; emulator default ${EMULATOR_MODEL_ID})`,
      nonEmpty,
    )
    .option(
      '--region <region>',
      'AWS region (Bedrock default: from AWS_REGION or your profile; emulator: us-east-1)',
      nonEmpty,
    )
    .option('--endpoint-url <url>', 'a custom Bedrock Runtime URL, e.g. the one `llmeter emulator` prints', url)
    .option('--max-attempts <n>', 'AWS SDK attempts per request, retries included (default 3)', positiveInteger)
    .addOption(
      new Option(
        '--transport <transport>',
        "HTTP client: the AWS SDK's, or the lean one (same records, less CPU; default sdk)",
      ).choices(['sdk', 'lean']),
    )
    .option(
      '--ttft-any-delta',
      'streaming: TTFT at the first delta of any kind (reasoning included), not the first visible text',
    )
    .option(
      '--emulator-profile <json|file>',
      'emulator latency profile (LatencyProfile fields), inline JSON or a file',
      jsonOrFile,
    )
    .option(
      '--emulator-faults <json|file>',
      'emulator fault rules (an array of FaultRule), inline JSON or a file',
      jsonOrFile,
    )
    .option('--emulator-seed <n>', 'emulator seed (latencies and fault draws; default 1)', nonNegativeInteger);
}

/**
 * Checks combinations commander cannot express; returns the problem (naming the flags) or null.
 * `has(name)` tells whether the user gave a flag (as opposed to its default).
 */
export function endpointFlagProblem(flags: EndpointFlags, has: (name: string) => boolean): string | null {
  if (flags.endpoint !== 'emulator') {
    if (!flags.modelId) return `option '--model-id <id>' is required with --endpoint ${flags.endpoint}`;
    if (has('api'))
      return `option '--api <api>' applies to --endpoint emulator only; choose bedrock-converse or bedrock-converse-stream instead`;
  }
  if (
    flags.ttftAnyDelta &&
    (flags.endpoint === 'bedrock-converse' || (flags.endpoint === 'emulator' && flags.api === 'converse'))
  ) {
    return `option '--ttft-any-delta' applies to streaming (ConverseStream) only`;
  }
  const embedded = flags.endpoint === 'emulator' && !flags.endpointUrl;
  for (const name of ['emulatorProfile', 'emulatorFaults', 'emulatorSeed']) {
    if (has(name) && !embedded) {
      const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      return `option '${flag}' applies to the embedded emulator only (--endpoint emulator without --endpoint-url)`;
    }
  }
  if (
    flags.emulatorProfile !== undefined &&
    (typeof flags.emulatorProfile !== 'object' || Array.isArray(flags.emulatorProfile))
  ) {
    return `option '--emulator-profile <json|file>' must hold a JSON object of LatencyProfile fields`;
  }
  if (flags.emulatorFaults !== undefined && !Array.isArray(flags.emulatorFaults)) {
    return `option '--emulator-faults <json|file>' must hold a JSON array of fault rules`;
  }
  return null;
}

/**
 * Starts the Bedrock emulator; a profile or fault rule it refuses becomes a usage error (exit 2) naming the flag
 * that gave it (`flags.profile`, `flags.faults`).
 */
export async function startEmulatorFor(
  options: EmulatorOptions,
  flags: { profile: string; faults: string },
): Promise<BedrockEmulator> {
  try {
    return await startBedrockEmulator(options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/^profile\b/.test(message)) throw new CliExit(`option '${flags.profile}': ${message}`, 2);
    if (error instanceof FaultSpecError || /^faults\b/.test(message))
      throw new CliExit(`option '${flags.faults}': ${message}`, 2);
    throw error;
  }
}

/** An endpoint ready to measure, and what to close afterwards. */
export interface OpenedEndpoint {
  endpoint: Endpoint;
  /** The embedded emulator, when one was started. */
  emulator: BedrockEmulator | null;
  /** A one-line description (`emulator http://127.0.0.1:1234 (converse-stream)`). */
  description: string;
  /** Stops the embedded emulator (if any). */
  close(): Promise<void>;
}

/** Builds the endpoint the flags describe; starts the embedded emulator for `--endpoint emulator`. */
export async function openEndpoint(
  flags: EndpointFlags,
  extra: Partial<BedrockEndpointOptions> = {},
): Promise<OpenedEndpoint> {
  const common: Partial<BedrockConverseStreamOptions> = { ...extra };
  if (flags.maxAttempts !== undefined) common.maxAttempts = flags.maxAttempts;
  if (flags.transport !== undefined) common.transport = flags.transport;
  if (flags.ttftAnyDelta) common.ttftVisibleTokensOnly = false;
  if (flags.endpoint === 'emulator') {
    let emulator: BedrockEmulator | null = null;
    let endpointUrl = flags.endpointUrl;
    if (!endpointUrl) {
      const options: EmulatorOptions = {};
      if (flags.emulatorProfile) options.profile = flags.emulatorProfile as Partial<LatencyProfile>;
      if (flags.emulatorFaults) options.faults = flags.emulatorFaults as FaultRule[];
      if (flags.emulatorSeed !== undefined) options.seed = flags.emulatorSeed;
      emulator = await startEmulatorFor(options, {
        profile: '--emulator-profile <json|file>',
        faults: '--emulator-faults <json|file>',
      });
      endpointUrl = emulator.url;
    }
    const options: BedrockConverseStreamOptions = {
      ...common,
      modelId: flags.modelId ?? EMULATOR_MODEL_ID,
      region: flags.region ?? 'us-east-1',
      endpointUrl,
      credentials: EMULATOR_CREDENTIALS,
    };
    let endpoint: Endpoint;
    try {
      endpoint = flags.api === 'converse' ? new BedrockConverse(options) : new BedrockConverseStream(options);
    } catch (error) {
      // The emulator is already listening: an endpoint that cannot be built must not keep the process alive.
      await emulator?.close();
      throw error;
    }
    const opened = emulator;
    return {
      endpoint,
      emulator,
      description: `${opened ? 'embedded emulator' : 'emulator'} ${endpointUrl} (${flags.api})`,
      close: async () => {
        await opened?.close();
      },
    };
  }
  const options: BedrockConverseStreamOptions = { ...common, modelId: flags.modelId as string };
  if (flags.region) options.region = flags.region;
  if (flags.endpointUrl) options.endpointUrl = flags.endpointUrl;
  const endpoint =
    flags.endpoint === 'bedrock-converse' ? new BedrockConverse(options) : new BedrockConverseStream(options);
  return {
    endpoint,
    emulator: null,
    description: `Amazon Bedrock ${flags.endpoint === 'bedrock-converse' ? 'Converse' : 'ConverseStream'} ${options.modelId}${flags.region ? ` in ${flags.region}` : ''}`,
    close: async () => {},
  };
}
