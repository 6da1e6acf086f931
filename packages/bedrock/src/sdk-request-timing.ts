import { type AgentOptions, type ClientRequest, Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import { type RequestTiming, requestTimingFor } from './request-timing.js';

/** The header the SDK puts on every try of one `send` (one id per invocation, retries included). */
const INVOCATION_ID = 'amz-sdk-invocation-id';

// Invocations in flight whose instants are collected, by invocation id (set by the handler, read by the agent).
const pending = new Map<string, RequestTiming>();

function watch(req: ClientRequest): void {
  if (pending.size === 0) return;
  const id = req.getHeader(INVOCATION_ID);
  const timing = typeof id === 'string' ? pending.get(id) : undefined;
  if (!timing) return;
  timing.requestSentAt = null;
  timing.responseHeadersAt = null;
  req.once('finish', () => {
    timing.requestSentAt = performance.now();
  });
  req.once('response', () => {
    timing.responseHeadersAt = performance.now();
  });
}

// `addRequest` is where every ClientRequest meets its agent (keep-alive socket or not): the one place to see the
// request object that `NodeHttpHandler` creates and never exposes.
class TimingHttpAgent extends HttpAgent {
  override addRequest(req: ClientRequest, options: unknown): void {
    watch(req);
    // biome-ignore lint/suspicious/noExplicitAny: `addRequest` is not in @types/node.
    (HttpAgent.prototype as any).addRequest.call(this, req, options);
  }
}

class TimingHttpsAgent extends HttpsAgent {
  override addRequest(req: ClientRequest, options: unknown): void {
    watch(req);
    // biome-ignore lint/suspicious/noExplicitAny: `addRequest` is not in @types/node.
    (HttpsAgent.prototype as any).addRequest.call(this, req, options);
  }
}

declare module 'node:http' {
  interface Agent {
    addRequest(req: ClientRequest, options: unknown): void;
  }
}

/**
 * A `NodeHttpHandler` for the AWS SDK that fills the attribution instants (`trackRequestTiming(abortSignal)`) of
 * the requests it sends: when the request was written to the socket and when the response headers arrived.
 * Its keep-alive agents are built from `agentOptions`.
 */
export class AttributedHttpHandler extends NodeHttpHandler {
  constructor(
    options: Omit<NodeHttpHandlerOptions, 'httpAgent' | 'httpsAgent'> & {
      agentOptions?: AgentOptions & HttpsAgentOptions;
    } = {},
  ) {
    const { agentOptions = {}, ...rest } = options;
    super({
      ...rest,
      httpAgent: new TimingHttpAgent({ keepAlive: true, ...agentOptions }),
      httpsAgent: new TimingHttpsAgent({ keepAlive: true, ...agentOptions }),
    });
  }

  override async handle(
    request: Parameters<NodeHttpHandler['handle']>[0],
    options: Parameters<NodeHttpHandler['handle']>[1] = {},
  ): ReturnType<NodeHttpHandler['handle']> {
    const timing = requestTimingFor(options.abortSignal as AbortSignal | undefined);
    const id = request.headers[INVOCATION_ID];
    if (!timing || typeof id !== 'string') return super.handle(request, options);
    pending.set(id, timing);
    try {
      return await super.handle(request, options);
    } finally {
      pending.delete(id);
    }
  }
}
