export type { BedrockClientOptions, BedrockCredentials, BedrockRuntimeSender } from './bedrock-client.js';
export {
  bedrockClientSettings,
  createBedrockRuntimeClient,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_SOCKETS,
} from './bedrock-client.js';
export type { BedrockCallResult, BedrockEndpointOptions, BedrockTransport } from './bedrock-endpoint.js';
export { BedrockBase, DEFAULT_ENDPOINT_NAME } from './bedrock-endpoint.js';
export type { BedrockStreamErrorType } from './bedrock-errors.js';
export {
  BEDROCK_STREAM_ERROR_TYPES,
  BedrockResponseError,
  bedrockStreamError,
  classifyBedrockError,
  streamErrorFromThrown,
  streamErrorInChunk,
} from './bedrock-errors.js';
export { BedrockConverse } from './converse-endpoint.js';
export type { CreatePayloadOptions } from './converse-payload.js';
export { createConversePayload, DEFAULT_MAX_TOKENS, extractConversePrompt } from './converse-payload.js';
export type { BedrockConverseStreamOptions } from './converse-stream-endpoint.js';
export { BedrockConverseStream } from './converse-stream-endpoint.js';
export type { LeanBedrockClientOptions, LeanCredentials, LeanSendOptions } from './lean/lean-bedrock-client.js';
export { LeanBedrockClient } from './lean/lean-bedrock-client.js';
export type { RegisterBedrockEndpointsOptions } from './register-endpoints.js';
export { registerBedrockEndpoints } from './register-endpoints.js';
export type { RequestTiming } from './request-timing.js';
export { requestTimingFor, trackRequestTiming } from './request-timing.js';
export { AttributedHttpHandler } from './sdk-request-timing.js';
