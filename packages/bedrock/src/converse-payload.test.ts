import { DocumentContent, ImageContent, LLMeterValidationError } from '@llmeter/core';
import { describe, expect, it } from 'vitest';
import { BedrockConverse } from './converse-endpoint.js';
import { createConversePayload, extractConversePrompt } from './converse-payload.js';
import { BedrockConverseStream } from './converse-stream-endpoint.js';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const PDF = new TextEncoder().encode('%PDF-1.4 fake');

function expectValidationError(fn: () => unknown, message: RegExp) {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(LLMeterValidationError.isInstance(caught), `expected an LLMeterValidationError, got ${String(caught)}`).toBe(
    true,
  );
  expect((caught as Error).message).toMatch(message);
}

describe('createPayload', () => {
  it('makes one user text block with maxTokens 256 by default', () => {
    expect(BedrockConverse.createPayload('Hello')).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      inferenceConfig: { maxTokens: 256 },
    });
  });

  it('is the same static on both endpoints', () => {
    expect(BedrockConverseStream.createPayload('Hi', { maxTokens: 8 })).toEqual(
      createConversePayload('Hi', { maxTokens: 8 }),
    );
  });

  it('keeps the order of mixed text and media items', () => {
    const image = ImageContent.fromBytes(PNG);
    const doc = DocumentContent.fromBytes(PDF, { name: 'report.pdf' });
    const payload = createConversePayload(['Compare:', image, 'with', doc], { maxTokens: 10 });
    const content = (payload['messages'] as { content: unknown[] }[])[0]?.content;
    expect(content).toEqual([
      { text: 'Compare:' },
      { image: { format: 'png', source: { bytes: image.bytes } } },
      { text: 'with' },
      { document: { format: 'pdf', name: 'report', source: { bytes: doc.bytes } } },
    ]);
  });

  it('merges extra fields and keeps other inferenceConfig keys, maxTokens always set', () => {
    const payload = createConversePayload('Hi', {
      maxTokens: 64,
      inferenceConfig: { temperature: 0.2, maxTokens: 9999 },
      system: [{ text: 'be brief' }],
    });
    expect(payload).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
      system: [{ text: 'be brief' }],
      inferenceConfig: { temperature: 0.2, maxTokens: 64 },
    });
  });

  it('sets inferenceConfig.maxTokens to the default 256 even over a given one when maxTokens is not given (as LLMeter)', () => {
    expect(createConversePayload('Hi', { inferenceConfig: { maxTokens: 9999, topP: 1 } })['inferenceConfig']).toEqual({
      maxTokens: 256,
      topP: 1,
    });
  });

  it('treats an inferenceConfig of null as none', () => {
    expect(createConversePayload('Hi', { inferenceConfig: null as never })['inferenceConfig']).toEqual({
      maxTokens: 256,
    });
  });

  it('treats maxTokens null as not given (Python None): the default applies', () => {
    expect(createConversePayload('Hi', { maxTokens: null as never })['inferenceConfig']).toEqual({ maxTokens: 256 });
  });

  it.each([0, -3, 1.5, Number.NaN, '10', true])('rejects maxTokens %s', (maxTokens) => {
    expectValidationError(
      () => createConversePayload('Hi', { maxTokens: maxTokens as number }),
      /^maxTokens must be a positive integer, got /,
    );
  });

  it('names the bad maxTokens value', () => {
    expectValidationError(
      () => createConversePayload('Hi', { maxTokens: -3 }),
      /maxTokens must be a positive integer, got -3/,
    );
  });

  it('rejects an empty list', () => {
    expectValidationError(() => createConversePayload([]), /userMessage must not be empty/);
  });

  it.each([
    [42, 'number'],
    [{ text: 'hi' }, 'Object'],
    [null, 'null'],
    [undefined, 'undefined'],
    [new Uint8Array(2), 'Uint8Array'],
  ])('rejects a userMessage of another type (%s)', (message, type) => {
    expectValidationError(
      () => createConversePayload(message as never),
      new RegExp(`userMessage must be a string or an array of strings and MediaContent, got ${type}`),
    );
  });

  it('rejects a list item of another type, naming its index', () => {
    expectValidationError(
      () => createConversePayload(['ok', 7 as never]),
      /userMessage\[1\] must be a string or MediaContent .*got number/,
    );
  });

  it('rejects an inferenceConfig that is not an object', () => {
    expectValidationError(
      () => createConversePayload('Hi', { inferenceConfig: 'hot' as never }),
      /inferenceConfig must be an object, got string/,
    );
  });
});

describe('extractConversePrompt', () => {
  it('joins the non-empty text blocks of user messages with newlines', () => {
    const payload = {
      system: [{ text: 'sys' }],
      messages: [
        { role: 'user', content: [{ text: 'one' }, { image: {} }, { text: '' }, { text: 'two' }] },
        { role: 'assistant', content: [{ text: 'answer' }] },
        { role: 'user', content: [{ text: 'three' }] },
      ],
    };
    expect(extractConversePrompt(payload)).toBe('one\ntwo\nthree');
  });

  it("gives '' for media only, null without messages", () => {
    expect(extractConversePrompt({ messages: [{ role: 'user', content: [{ image: {} }] }] })).toBe('');
    expect(extractConversePrompt({})).toBeNull();
  });
});
