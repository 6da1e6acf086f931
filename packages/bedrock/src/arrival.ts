/**
 * The arrival instant of a stream event: `performance.now()` read once per socket read by the transport that
 * received the bytes (the lean transport, in its HTTP layer's `onData`), stamped on every event (or stream error)
 * decoded from that read. It is a non-enumerable symbol-keyed property, so the event's shape stays the SDK's
 * (`Object.keys`, `JSON.stringify` and deep equality do not see it). Registered with `Symbol.for` so copies of
 * this package in one thread agree on it.
 */
export const ARRIVED_AT: unique symbol = Symbol.for('@llmeter/bedrock.arrivedAt') as never;

// One descriptor object reused for every stamp (`defineProperty` copies what it needs).
const descriptor: { value: number; enumerable: false; writable: false; configurable: true } = {
  value: 0,
  enumerable: false,
  writable: false,
  configurable: true,
};

/** Stamps `target` with the arrival instant `at` (a `performance.now()` reading). */
export function stampArrival(target: object, at: number): void {
  descriptor.value = at;
  Object.defineProperty(target, ARRIVED_AT, descriptor);
}

/** The arrival instant stamped on `value`, or `undefined` (an SDK event, or anything not stamped). */
export function arrivalOf(value: unknown): number | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const at = (value as { [ARRIVED_AT]?: unknown })[ARRIVED_AT];
  return typeof at === 'number' ? at : undefined;
}
