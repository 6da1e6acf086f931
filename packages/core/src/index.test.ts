import { describe, expect, it } from 'vitest';
import * as core from './index.js';

/**
 * The runtime exports other packages build on. Removing or renaming one breaks them: this list may only grow.
 * (Type-only exports are checked by the compiler in every dependent package.)
 */
const PUBLIC_RUNTIME_EXPORTS = [
  'AudioContent',
  'BYTES_KEY',
  'DEFAULT_PERCENTILES',
  'DocumentContent',
  'ERROR_TYPES',
  'Endpoint',
  'ImageContent',
  'InvocationAbortedError',
  'InvocationResponse',
  'InvocationTimeoutError',
  'LLMETER_RESPONSE_KEYS',
  'LLMeterError',
  'LLMeterValidationError',
  'MEDIA_FORMATS',
  'MediaContent',
  'SinkFanout',
  'StreamEventError',
  'VideoContent',
  'classifyError',
  'detectFormatFromBytes',
  'detectFormatFromPath',
  'endpointFromJSON',
  'errorTypeFromName',
  'errorTypeFromStatus',
  'finiteValues',
  'fromJSONValue',
  'interChunkLatencies',
  'meetsSLO',
  'parseJSON',
  'percentileKey',
  'percentileOfSorted',
  'registerEndpointType',
  'registeredEndpointTypes',
  'secondsSince',
  'stringifyJSON',
  'summarize',
  'timePerOutputToken',
  'toJSONValue',
];

describe('@llmeter/core public surface', () => {
  const exported = new Map(Object.entries(core));

  it.each(PUBLIC_RUNTIME_EXPORTS)('exports %s', (name) => {
    expect(exported.get(name), name).toBeDefined();
  });

  it('exports nothing undefined', () => {
    for (const [name, value] of exported) expect(value, name).toBeDefined();
  });
});
