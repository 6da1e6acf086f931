import type { ServerResponse } from 'node:http';
import type { StreamExceptionType } from './types.js';

/** The error shape (`x-amzn-ErrorType`) and default message of each HTTP status the emulator can answer with. */
export const HTTP_ERRORS: Record<number, { type: string; message: string }> = {
  400: { type: 'ValidationException', message: 'The request failed validation.' },
  404: { type: 'ResourceNotFoundException', message: 'The requested resource could not be found.' },
  408: { type: 'ModelTimeoutException', message: 'The model took too long to respond.' },
  424: { type: 'ModelErrorException', message: 'The model returned an error.' },
  429: { type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' },
  500: { type: 'InternalServerException', message: 'The server encountered an internal error.' },
  503: { type: 'ServiceUnavailableException', message: 'Bedrock is unable to process your request.' },
};

/** The HTTP status a Converse call answers with for the fault that would be an in-stream exception in ConverseStream. */
export const STATUS_OF_STREAM_EXCEPTION: Record<StreamExceptionType, number> = {
  internalServerException: 500,
  modelStreamErrorException: 424,
  modelTimeoutException: 408,
  serviceUnavailableException: 503,
  throttlingException: 429,
  validationException: 400,
};

/**
 * Sends an AWS REST-JSON error: the status, `x-amzn-ErrorType: <Type>:<namespace>` (the SDK reads the part before
 * `:`), and a JSON body with `message`.
 */
export function sendHttpError(res: ServerResponse, status: number, message?: string, type?: string): void {
  const known = HTTP_ERRORS[status] ?? { type: 'InternalServerException', message: 'Error.' };
  const body = JSON.stringify({ message: message ?? known.message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-ErrorType': `${type ?? known.type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  });
  res.end(body);
}
