/**
 * Attribution instants of one request, filled by the transport (lean client, or the SDK's HTTP handler wrapped by
 * `AttributedHttpHandler`), read by the endpoint into `timeToRequestSent` / `timeToResponseHeaders`.
 * Instants are `performance.now()` milliseconds; for retried requests they are those of the last try.
 */
export interface RequestTiming {
  /** The request (headers and body) was written to the socket (`ClientRequest` 'finish'). */
  requestSentAt: number | null;
  /** The response status line and headers arrived (`ClientRequest` 'response'). */
  responseHeadersAt: number | null;
}

// Keyed by the AbortSignal passed to `send({ abortSignal })`: unique per invocation, handed by every middleware
// layer of the SDK down to its HTTP handler unchanged, and garbage-collected with the invocation.
const timings = new WeakMap<AbortSignal, RequestTiming>();

/** Starts collecting the instants of the request sent with this `abortSignal`; returns the object filled. */
export function trackRequestTiming(signal: AbortSignal): RequestTiming {
  const timing: RequestTiming = { requestSentAt: null, responseHeadersAt: null };
  timings.set(signal, timing);
  return timing;
}

/** The timing object registered for a signal, if any (used by transports). */
export function requestTimingFor(signal: AbortSignal | undefined): RequestTiming | undefined {
  return signal ? timings.get(signal) : undefined;
}
