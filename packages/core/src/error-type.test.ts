import { describe, expect, it } from 'vitest';
import { classifyError, ERROR_TYPES, errorTypeFromName, errorTypeFromStatus } from './error-type.js';
import { InvocationAbortedError, InvocationTimeoutError, LLMeterValidationError, StreamEventError } from './errors.js';

/** An error shaped like an AWS SDK v3 service exception. */
function sdkError(name: string, httpStatusCode?: number): Error {
  return Object.assign(new Error(`${name} message`), {
    name,
    $fault: 'client',
    $metadata: httpStatusCode === undefined ? {} : { httpStatusCode },
  });
}

/** An error shaped like a Node.js system error. */
function systemError(code: string, message = `${code} happened`): Error {
  return Object.assign(new Error(message), { code });
}

describe('ERROR_TYPES', () => {
  it('lists every error type once, in a stable order', () => {
    expect(ERROR_TYPES).toEqual([
      'throttled',
      'timeout',
      'client',
      'server',
      'stream',
      'network',
      'aborted',
      'unknown',
    ]);
  });
});

describe('errorTypeFromStatus', () => {
  it.each([
    [429, 'throttled'],
    [408, 'timeout'],
    [400, 'client'],
    [403, 'client'],
    [404, 'client'],
    [424, 'client'],
    [499, 'client'],
    [500, 'server'],
    [503, 'server'],
    [599, 'server'],
  ])('%i → %s', (status, type) => {
    expect(errorTypeFromStatus(status)).toBe(type);
  });

  it('is undefined for a status that is not an error', () => {
    for (const status of [100, 200, 204, 301, 304, 399]) expect(errorTypeFromStatus(status)).toBeUndefined();
  });
});

describe('errorTypeFromName', () => {
  it.each([
    ['ThrottlingException', 'throttled'],
    ['throttlingException', 'throttled'],
    ['TooManyRequestsException', 'throttled'],
    ['RateLimitExceeded', 'throttled'],
    ['ModelTimeoutException', 'timeout'],
    ['modelTimeoutException', 'timeout'],
    ['TimeoutError', 'timeout'],
    ['ValidationException', 'client'],
    ['validationException', 'client'],
    ['AccessDeniedException', 'client'],
    ['ResourceNotFoundException', 'client'],
    ['UnauthorizedException', 'client'],
    ['BadRequestException', 'client'],
    ['ConflictException', 'client'],
    ['InternalServerException', 'server'],
    ['internalServerException', 'server'],
    ['ServiceUnavailableException', 'server'],
    ['ServiceException', 'server'],
  ])('%s → %s', (name, type) => {
    expect(errorTypeFromName(name)).toBe(type);
  });

  it('is undefined for a name it does not know', () => {
    for (const name of ['', 'Error', 'TypeError', 'ModelNotReadyException'])
      expect(errorTypeFromName(name)).toBeUndefined();
  });
});

describe('classifyError', () => {
  it('classifies our own timeout and abort errors first', () => {
    expect(classifyError(new InvocationTimeoutError(100))).toBe('timeout');
    expect(classifyError(new InvocationAbortedError())).toBe('aborted');
    // Even when carrying something that would classify otherwise.
    expect(classifyError(new InvocationAbortedError(sdkError('ThrottlingException', 429)))).toBe('aborted');
  });

  it('is unknown for values that are not objects, and for plain errors', () => {
    for (const v of [undefined, null, 'boom', 42, Symbol('x')]) expect(classifyError(v)).toBe('unknown');
    expect(classifyError(new Error('something'))).toBe('unknown');
    expect(classifyError(new TypeError('x is not a function'))).toBe('unknown');
    // Our own validation error is a client error, like the service's ValidationException.
    expect(classifyError(new LLMeterValidationError('bad field'))).toBe('client');
  });

  it('classifies by HTTP status from $metadata, statusCode, status or $response', () => {
    expect(classifyError(sdkError('SomethingException', 429))).toBe('throttled');
    expect(classifyError(sdkError('SomethingException', 400))).toBe('client');
    expect(classifyError(sdkError('SomethingException', 502))).toBe('server');
    expect(classifyError(Object.assign(new Error('x'), { statusCode: 503 }))).toBe('server');
    expect(classifyError(Object.assign(new Error('x'), { status: 408 }))).toBe('timeout');
    expect(classifyError(Object.assign(new Error('x'), { $response: { statusCode: 401 } }))).toBe('client');
  });

  it('lets the status win over the name, and falls back to the name without a status', () => {
    // A 500 reported under a throttling-sounding name is still a server error by its status.
    expect(classifyError(sdkError('ThrottlingException', 500))).toBe('server');
    expect(classifyError(sdkError('ThrottlingException'))).toBe('throttled');
    expect(classifyError(sdkError('ValidationException'))).toBe('client');
    expect(classifyError(sdkError('ServiceUnavailableException'))).toBe('server');
    expect(classifyError(sdkError('ModelTimeoutException'))).toBe('timeout');
  });

  it('ignores a status that is not an HTTP status or not an error', () => {
    expect(classifyError(Object.assign(new Error('x'), { status: 'bad' }))).toBe('unknown');
    expect(classifyError(Object.assign(new Error('x'), { status: 7000 }))).toBe('unknown');
    expect(classifyError(Object.assign(sdkError('ValidationException'), { $metadata: { httpStatusCode: 200 } }))).toBe(
      'client',
    );
  });

  it('classifies stream error events as stream, except throttling', () => {
    expect(classifyError(new StreamEventError('broke', 'modelStreamErrorException'))).toBe('stream');
    expect(classifyError(new StreamEventError('busy', 'internalServerException'))).toBe('stream');
    expect(classifyError(new StreamEventError('slow down', 'throttlingException'))).toBe('throttled');
    // An HTTP status on the error still decides first.
    expect(classifyError(Object.assign(new StreamEventError('x', 'validationException'), { statusCode: 400 }))).toBe(
      'client',
    );
  });

  it.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'UND_ERR_SOCKET',
    'ERR_STREAM_PREMATURE_CLOSE',
    'ERR_HTTP2_STREAM_ERROR',
  ])('classifies the network code %s as network', (code) => {
    expect(classifyError(systemError(code, 'opaque'))).toBe('network');
  });

  it('classifies network failures by message when there is no code', () => {
    expect(classifyError(new Error('socket hang up'))).toBe('network');
    expect(classifyError(new Error('read ECONNRESET'))).toBe('network');
    expect(classifyError(new Error('Premature close'))).toBe('network');
    expect(classifyError(systemError('EWHATEVER', 'opaque'))).toBe('unknown');
  });

  it('follows the cause chain', () => {
    expect(classifyError(new TypeError('fetch failed', { cause: systemError('ECONNREFUSED') }))).toBe('network');
    expect(classifyError(new Error('wrapped', { cause: new Error('deeper', { cause: sdkError('x', 429) }) }))).toBe(
      'throttled',
    );
    expect(classifyError(new Error('wrapped', { cause: new InvocationTimeoutError(5) }))).toBe('timeout');
    expect(classifyError(new Error('wrapped', { cause: 'a string' }))).toBe('unknown');
  });

  it('terminates on self-referencing and cyclic cause chains', () => {
    const self = new Error('self');
    Object.assign(self, { cause: self });
    expect(classifyError(self)).toBe('unknown');
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(classifyError(a)).toBe('unknown');
  });

  it('classifies DOM-style AbortError and TimeoutError', () => {
    expect(classifyError(new DOMException('aborted', 'AbortError'))).toBe('aborted');
    expect(classifyError(new DOMException('timed out', 'TimeoutError'))).toBe('timeout');
    // An abort caused by our timeout is a timeout.
    expect(
      classifyError(Object.assign(new DOMException('aborted', 'AbortError'), { cause: new InvocationTimeoutError(9) })),
    ).toBe('timeout');
  });
});
