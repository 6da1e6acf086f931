import type { Endpoint, EndpointJSON } from '@llmeter/core';

/**
 * What the metrics need to know about the endpoint a record came from: all bounded, configured values
 * (never anything from a request or a response).
 */
export interface EndpointDescriptor {
  /** The model id requested (`gen_ai.request.model`). */
  modelId: string;
  /** Our provider name (`bedrock`, …); mapped to `gen_ai.provider.name` by `genAIProviderName`. */
  provider?: string;
  /** The endpoint type (`BedrockConverseStream`, …); a type whose name contains `stream` marks streaming calls. */
  endpointType?: string;
  /**
   * Whether calls stream. Default: decided per record — streaming when the record has `chunkTimes`
   * or the endpoint type's name contains `stream`.
   */
  streaming?: boolean;
  /** `gen_ai.operation.name`. Default `chat` (Converse and ConverseStream are chat operations). */
  operationName?: string;
  /** `server.address`, when you want it on every series (a configured host, never a per-request value). */
  serverAddress?: string;
  /** `server.port`, with `serverAddress`. */
  serverPort?: number;
}

/** Anything an endpoint can be described from: an `Endpoint`, its JSON form (`toJSON()`), or a descriptor. */
export type EndpointLike = Endpoint | EndpointJSON | EndpointDescriptor;

function isEndpointJSON(value: EndpointLike): value is EndpointJSON {
  return typeof (value as EndpointJSON).model_id === 'string';
}

/** Reads the bounded facts the metrics need from an endpoint, its JSON form, or a descriptor (returned as is). */
export function describeEndpoint(endpoint: EndpointLike): EndpointDescriptor {
  if (isEndpointJSON(endpoint)) {
    const out: EndpointDescriptor = { modelId: endpoint.model_id };
    if (typeof endpoint.provider === 'string') out.provider = endpoint.provider;
    if (typeof endpoint.endpoint_type === 'string') out.endpointType = endpoint.endpoint_type;
    return out;
  }
  const maybeEndpoint = endpoint as Partial<Endpoint>;
  if (typeof maybeEndpoint.invoke === 'function') {
    const out: EndpointDescriptor = { modelId: String(maybeEndpoint.modelId) };
    if (typeof maybeEndpoint.provider === 'string') out.provider = maybeEndpoint.provider;
    try {
      const type = maybeEndpoint.endpointType;
      if (typeof type === 'string') out.endpointType = type;
    } catch {
      // an endpoint type getter that throws only costs us the streaming hint
    }
    return out;
  }
  return endpoint as EndpointDescriptor;
}

/**
 * The `gen_ai.provider.name` for our provider names: anything naming Bedrock → `aws.bedrock` (the semantic
 * conventions' value); otherwise the name lower-cased with spaces as `_`; `_OTHER` when there is none.
 */
export function genAIProviderName(provider: string | undefined): string {
  if (!provider) return '_OTHER';
  const p = provider.trim().toLowerCase();
  if (p.includes('bedrock')) return 'aws.bedrock';
  return p.replace(/\s+/g, '_') || '_OTHER';
}
