import { InvocationAbortedError, InvocationTimeoutError, StreamEventError } from '@llmeter/core';
import { describe, expect, it } from 'vitest';
import {
  BedrockResponseError,
  classifyBedrockError,
  streamErrorFromThrown,
  streamErrorInChunk,
} from './bedrock-errors.js';

const named = (name: string, message = 'm', extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });

describe('classifyBedrockError', () => {
  it.each([
    ['HTTP 429', named('ThrottlingException', 'x', { $metadata: { httpStatusCode: 429 } }), 'throttled'],
    ['HTTP 500', named('InternalServerException', 'x', { $metadata: { httpStatusCode: 500 } }), 'server'],
    ['HTTP 503', named('ServiceUnavailableException', 'x', { $metadata: { httpStatusCode: 503 } }), 'server'],
    ['HTTP 400', named('ValidationException', 'x', { $metadata: { httpStatusCode: 400 } }), 'client'],
    ['HTTP 408 model timeout', named('ModelTimeoutException', 'x', { $metadata: { httpStatusCode: 408 } }), 'timeout'],
    ['HTTP 424 model error', named('ModelErrorException', 'x', { $metadata: { httpStatusCode: 424 } }), 'client'],
    ['SDK stream ThrottlingException', named('ThrottlingException', 'x', { $fault: 'client' }), 'throttled'],
    ['SDK stream ModelStreamErrorException', named('ModelStreamErrorException'), 'stream'],
    ['SDK stream modelTimeoutException (unmodelled)', named('modelTimeoutException', '{"message":"slow"}'), 'timeout'],
    [
      'reset renamed TimeoutError by the SDK',
      named('TimeoutError', 'socket hang up', { code: 'ECONNRESET' }),
      'network',
    ],
    ['reset mid-body', named('Error', 'aborted', { code: 'ECONNRESET' }), 'network'],
    ['requestTimeout', named('TimeoutError', 'exceeded', { code: 'ETIMEDOUT' }), 'timeout'],
    ['bad frame CRC', new Error('The message checksum (1) did not match the expected value of 2'), 'stream'],
    ['truncated frame', new Error('Truncated event message received.'), 'stream'],
    ['malformed delta', new BedrockResponseError('delta.text must be a string'), 'stream'],
    [
      'Converse body cut short (the SDK cannot parse it)',
      named(
        'SyntaxError',
        'Unterminated string in JSON at position 170\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
        { $metadata: { httpStatusCode: 200 } },
      ),
      'stream',
    ],
    ['no credentials', named('CredentialsProviderError', 'Could not load credentials from any providers'), 'client'],
    ['no region', new Error('Region is missing'), 'client'],
    ['our timeout', new InvocationTimeoutError(5), 'timeout'],
    ['our abort', new InvocationAbortedError(), 'aborted'],
    ['anything else', new Error('?'), 'unknown'],
  ])('%s', (_label, error, type) => {
    expect(classifyBedrockError(error)).toBe(type);
  });
});

describe('stream error forms', () => {
  it('reads the message of the unmodelled exception from its JSON body', () => {
    const e = streamErrorFromThrown(named('modelTimeoutException', '{"message":"model timed out"}'));
    expect(e?.message).toBe('Bedrock modelTimeoutException: model timed out');
    expect(e?.eventType).toBe('modelTimeoutException');
  });

  it('names a typed SDK exception by its event name', () => {
    const cause = named('ValidationException', 'bad input');
    const e = streamErrorFromThrown(cause) as StreamEventError;
    expect(StreamEventError.isInstance(e)).toBe(true);
    expect(e.message).toBe('Bedrock validationException: bad input');
    expect(e.cause).toBe(cause);
  });

  it('ignores other errors and chunks', () => {
    expect(streamErrorFromThrown(new Error('x'))).toBeUndefined();
    expect(streamErrorFromThrown('throttlingException')).toBeUndefined();
    expect(streamErrorInChunk({ contentBlockStop: {} })).toBeUndefined();
    expect(streamErrorInChunk({ throttlingException: { message: 'slow' } })?.message).toBe(
      'Bedrock throttlingException: slow',
    );
  });
});
