export { LLMeterError, LLMeterValidationError, InvocationTimeoutError, InvocationAbortedError, StreamEventError } from './errors.js';
export type { LLMeterErrorOptions } from './errors.js';
export { ERROR_TYPES, classifyError, errorTypeFromName, errorTypeFromStatus } from './error-type.js';
export type { ErrorType } from './error-type.js';
export { BYTES_KEY, toJSONValue, fromJSONValue, stringifyJSON, parseJSON } from './json-codec.js';
export { InvocationResponse, LLMETER_RESPONSE_KEYS } from './invocation-response.js';
export type { InvocationResponseInit, InvocationResponseJSON, InvocationResponseExtensionJSON } from './invocation-response.js';
export { timePerOutputToken, interChunkLatencies, meetsSLO } from './derived-metrics.js';
export type { SLO } from './derived-metrics.js';
export { Endpoint, secondsSince, registerEndpointType, registeredEndpointTypes, endpointFromJSON } from './endpoint.js';
export type { EndpointOptions, EndpointJSON, EndpointFactory, InvokeOptions, InvokeContext, Payload } from './endpoint.js';
export { summarize, percentileOfSorted, percentileKey, finiteValues, DEFAULT_PERCENTILES } from './statistics.js';
export type { Summary, SummarizeOptions } from './statistics.js';
export { SinkFanout } from './record-sink.js';
export type { RecordSink, RunStartInfo, RunEndInfo, SinkFanoutOptions } from './record-sink.js';
export {
  MediaContent,
  ImageContent,
  AudioContent,
  VideoContent,
  DocumentContent,
  MEDIA_FORMATS,
  detectFormatFromBytes,
  detectFormatFromPath,
} from './content-blocks.js';
export type { ContentItem, MediaKind, FromBytesOptions } from './content-blocks.js';
