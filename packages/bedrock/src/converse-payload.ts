import { type ContentItem, LLMeterValidationError, MediaContent, type Payload } from '@llmeter/core';

/** Default `inferenceConfig.maxTokens` of `createPayload`. */
export const DEFAULT_MAX_TOKENS = 256;

/** Options of `createPayload`: `maxTokens` plus any Converse request fields to merge into the payload. */
export interface CreatePayloadOptions {
  /** `inferenceConfig.maxTokens`: a positive integer. Default 256. */
  maxTokens?: number;
  /** Other inference settings (`temperature`, `topP`, …); `maxTokens` above always wins. */
  inferenceConfig?: Record<string, unknown>;
  /** Any other Converse request field (`system`, `toolConfig`, `additionalModelRequestFields`, …). */
  [field: string]: unknown;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds a Converse request: one user message whose content blocks follow `userMessage` in order (a string is
 * one text block; `MediaContent` items become image/audio/video/document blocks), then the extra fields merged
 * in, then `inferenceConfig.maxTokens` set (other `inferenceConfig` keys kept). Format detection of media is a
 * convenience for tests and benchmarks: it does not make untrusted files safe.
 *
 * @throws LLMeterValidationError for a `maxTokens` that is not a positive integer, an empty list, or a message
 *   or list item of another type.
 */
export function createConversePayload(
  userMessage: string | readonly ContentItem[],
  options: CreatePayloadOptions = {},
): Payload {
  if (!isPlainObject(options)) {
    throw new LLMeterValidationError(`createPayload options must be an object, got ${typeName(options)}`);
  }
  const { maxTokens: givenMaxTokens, ...fields } = options;
  const maxTokens = givenMaxTokens ?? DEFAULT_MAX_TOKENS;
  if (!(typeof maxTokens === 'number' && Number.isInteger(maxTokens) && maxTokens > 0)) {
    throw new LLMeterValidationError(
      `maxTokens must be a positive integer, got ${typeof maxTokens === 'string' ? JSON.stringify(maxTokens) : String(maxTokens)}`,
    );
  }
  let items: readonly unknown[];
  if (typeof userMessage === 'string') items = [userMessage];
  else if (Array.isArray(userMessage)) items = userMessage;
  else {
    throw new LLMeterValidationError(
      `userMessage must be a string or an array of strings and MediaContent, got ${typeName(userMessage)}`,
    );
  }
  if (items.length === 0)
    throw new LLMeterValidationError('userMessage must not be empty: give a string or at least one item');
  const content = items.map((item, index) => {
    if (typeof item === 'string') return { text: item };
    if (item instanceof MediaContent) return item.toContentBlock();
    throw new LLMeterValidationError(
      `userMessage[${index}] must be a string or MediaContent (ImageContent, AudioContent, VideoContent, DocumentContent), got ${typeName(item)}`,
    );
  });
  const payload: Payload = { messages: [{ role: 'user', content }], ...fields };
  const inferenceConfig = payload['inferenceConfig'] ?? {};
  if (!isPlainObject(inferenceConfig)) {
    throw new LLMeterValidationError(`inferenceConfig must be an object, got ${typeName(inferenceConfig)}`);
  }
  payload['inferenceConfig'] = { ...inferenceConfig, maxTokens };
  return payload;
}

/**
 * The prompt text of a Converse payload: the non-empty text blocks of its user messages joined by newlines
 * (`''` when there is no text, as LLMeter does); null when the payload has no `messages` list.
 */
export function extractConversePrompt(payload: Payload): string | null {
  const messages = payload['messages'];
  if (!Array.isArray(messages)) return null;
  const texts: string[] = [];
  for (const message of messages) {
    if (!isPlainObject(message) || message['role'] !== 'user' || !Array.isArray(message['content'])) continue;
    for (const block of message['content']) {
      if (isPlainObject(block) && typeof block['text'] === 'string' && block['text'] !== '') texts.push(block['text']);
    }
  }
  return texts.join('\n');
}
