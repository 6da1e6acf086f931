import {
  ConverseCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import type { InvocationResponse, Payload } from '@llmeter/core';
import { BedrockBase, type BedrockCallResult } from './bedrock-endpoint.js';

/**
 * Measures Bedrock's Converse API (one response, no stream). The record gets the request id, `retries`, the
 * text parts of the answer joined, input / cache-read / output tokens, `stopReason` and the server's
 * `metrics.latencyMs`; `timeToLastToken` is the time until the whole response was read.
 *
 * ```ts
 * const endpoint = new BedrockConverse({ modelId: 'amazon.nova-micro-v1:0', region: 'us-east-1' });
 * const record = await endpoint.invoke(BedrockConverse.createPayload('Hello'));
 * ```
 */
export class BedrockConverse extends BedrockBase<ConverseCommandOutput> {
  get endpointType(): string {
    return 'BedrockConverse';
  }

  protected command(payload: Payload): ConverseCommand {
    return new ConverseCommand(payload as unknown as ConverseCommandInput);
  }

  protected processRawResponse(
    raw: BedrockCallResult<ConverseCommandOutput>,
    _start: number,
    response: InvocationResponse,
  ): void {
    const output = this.readOutput(raw, response);
    const content: unknown = output.output?.message?.content;
    const parts = Array.isArray(content) ? content : [];
    response.responseText = parts
      .filter((part): part is { text: string } => typeof part?.text === 'string')
      .map((part) => part.text)
      .join('');
    const usage = output.usage;
    response.numTokensInput = usage?.inputTokens ?? null;
    response.numTokensInputCached = usage?.cacheReadInputTokens ?? null;
    response.numTokensOutput = usage?.outputTokens ?? null;
    response.stopReason = output.stopReason ?? null;
    response.serverLatencyMs = output.metrics?.latencyMs ?? null;
  }
}
