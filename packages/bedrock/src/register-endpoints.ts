import { type EndpointJSON, LLMeterValidationError, registerEndpointType } from '@llmeter/core';
import type { BedrockCredentials, BedrockRuntimeSender } from './bedrock-client.js';
import type { BedrockEndpointOptions } from './bedrock-endpoint.js';
import { BedrockConverse } from './converse-endpoint.js';
import { BedrockConverseStream } from './converse-stream-endpoint.js';

/** What endpoints rebuilt from JSON get that JSON never holds. */
export interface RegisterBedrockEndpointsOptions {
  /** Credentials for the clients the rebuilt endpoints create (e.g. fake ones for the emulator). */
  credentials?: BedrockCredentials;
  /** One client for every rebuilt endpoint, instead of each creating its own. */
  client?: BedrockRuntimeSender;
}

function optional<T>(json: EndpointJSON, key: string, type: 'string' | 'number' | 'boolean' | 'object'): T | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) {
    throw new LLMeterValidationError(
      `${json.endpoint_type} JSON: ${key} must be a ${type}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

function optionsFromJSON(json: EndpointJSON, extra: RegisterBedrockEndpointsOptions): BedrockEndpointOptions {
  const options: BedrockEndpointOptions = { modelId: json.model_id };
  const set = <K extends keyof BedrockEndpointOptions>(key: K, value: BedrockEndpointOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('endpointName', optional(json, 'endpoint_name', 'string'));
  set('region', optional(json, 'region', 'string'));
  set('inferenceConfig', optional(json, 'inference_config', 'object'));
  set('maxAttempts', optional(json, 'max_attempts', 'number'));
  set('maxConcurrency', optional(json, 'max_concurrency', 'number'));
  set('endpointUrl', optional(json, 'endpoint_url', 'string'));
  set('transport', optional(json, 'transport', 'string'));
  set('credentials', extra.credentials);
  set('client', extra.client);
  return options;
}

/**
 * Registers `BedrockConverse` and `BedrockConverseStream` with core's `endpointFromJSON` (e.g. in a worker
 * thread that rebuilds endpoints from a run configuration). Call it once; calling again replaces the options.
 */
export function registerBedrockEndpoints(options: RegisterBedrockEndpointsOptions = {}): void {
  registerEndpointType('BedrockConverse', (json) => new BedrockConverse(optionsFromJSON(json, options)));
  registerEndpointType(
    'BedrockConverseStream',
    (json) =>
      new BedrockConverseStream({
        ...optionsFromJSON(json, options),
        ttftVisibleTokensOnly: optional<boolean>(json, 'ttft_visible_tokens_only', 'boolean') ?? true,
      }),
  );
}
