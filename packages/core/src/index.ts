export type { ContentItem, FromBytesOptions, MediaKind } from './content-blocks.js';
export {
  AudioContent,
  DocumentContent,
  detectFormatFromBytes,
  detectFormatFromPath,
  ImageContent,
  MEDIA_FORMATS,
  MediaContent,
  VideoContent,
} from './content-blocks.js';
export type { SLO } from './derived-metrics.js';
export { interChunkLatencies, meetsSLO, timePerOutputToken } from './derived-metrics.js';
export type {
  EndpointFactory,
  EndpointJSON,
  EndpointOptions,
  InvokeContext,
  InvokeOptions,
  Payload,
} from './endpoint.js';
export { Endpoint, endpointFromJSON, registerEndpointType, registeredEndpointTypes, secondsSince } from './endpoint.js';
export type { ErrorType } from './error-type.js';
export { classifyError, ERROR_TYPES, errorTypeFromName, errorTypeFromStatus } from './error-type.js';
export type { LLMeterErrorOptions } from './errors.js';
export {
  InvocationAbortedError,
  InvocationTimeoutError,
  LLMeterError,
  LLMeterValidationError,
  StreamEventError,
} from './errors.js';
export type {
  InvocationResponseExtensionJSON,
  InvocationResponseInit,
  InvocationResponseJSON,
} from './invocation-response.js';
export { InvocationResponse, LLMETER_RESPONSE_KEYS } from './invocation-response.js';
export { BYTES_KEY, fromJSONValue, parseJSON, stringifyJSON, toJSONValue } from './json-codec.js';
export type { RecordSink, RunEndInfo, RunStartInfo, SinkFanoutOptions } from './record-sink.js';
export { SinkFanout } from './record-sink.js';
export type { SummarizeOptions, Summary } from './statistics.js';
export { DEFAULT_PERCENTILES, finiteValues, percentileKey, percentileOfSorted, summarize } from './statistics.js';
