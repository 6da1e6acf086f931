import { describe, expect, it } from 'vitest';
import { requestBody, requestPath } from './wire-format.js';

describe('wire format', () => {
  it('serializes a request body as the SDK does (bytes as base64, modelId in the path, undefined dropped)', () => {
    const input = {
      modelId: 'arn:aws:bedrock:us-east-1::foundation-model/x:0',
      messages: [
        {
          role: 'user',
          content: [{ text: 'hello' }, { image: { format: 'png', source: { bytes: new Uint8Array([1, 2, 3]) } } }],
        },
      ],
      inferenceConfig: { maxTokens: 10 },
      additionalModelRequestFields: { a: { b: 1 } },
      system: undefined,
    };
    // The body the AWS SDK v3 (3.1164) sent for this input, captured from the wire.
    expect(requestBody(input)).toBe(
      '{"messages":[{"role":"user","content":[{"text":"hello"},{"image":{"format":"png","source":{"bytes":"AQID"}}}]}],' +
        '"inferenceConfig":{"maxTokens":10},"additionalModelRequestFields":{"a":{"b":1}}}',
    );
    expect(requestBody({ modelId: 'm', messages: [{ role: 'user', content: [{ text: 'x' }] }] })).toBe(
      '{"messages":[{"role":"user","content":[{"text":"x"}]}]}',
    );
  });

  it('percent-encodes the model id in the path as the SDK does', () => {
    expect(requestPath('arn:aws:bedrock:us-east-1::foundation-model/x:0', 'converse')).toBe(
      '/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fx%3A0/converse',
    );
  });
});
