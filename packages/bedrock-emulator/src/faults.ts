import { STATUS_OF_STREAM_EXCEPTION } from './http-errors.js';
import type { SeededRandom } from './seeded-random.js';
import type { FaultRule, FaultSpec, Operation, StreamExceptionType } from './types.js';

/** The request header that carries a per-request fault: a `FaultSpec` as JSON. */
export const FAULT_HEADER = 'x-llmeter-fault';

// The in-stream exception types: those that have a Converse status (one list for both).
const STREAM_EXCEPTIONS = Object.keys(STATUS_OF_STREAM_EXCEPTION) as readonly StreamExceptionType[];
const HTTP_STATUSES = [400, 408, 424, 429, 500, 503];

/** Thrown for a fault spec that is not one of the accepted shapes. */
export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
}

/** The fields each fault kind takes (`message` is accepted by all). */
const FIELDS_OF_KIND: Record<FaultSpec['kind'], readonly string[]> = {
  http: ['kind', 'status', 'message'],
  'stream-exception': ['kind', 'type', 'afterDeltas', 'message'],
  reset: ['kind', 'afterDeltas', 'graceMs', 'message'],
  stall: ['kind', 'afterDeltas', 'message'],
  'corrupt-frame': ['kind', 'afterDeltas', 'message'],
};
const RULE_FIELDS = ['fault', 'rate', 'modelId', 'operation'];
const OPERATIONS: readonly Operation[] = ['converse', 'converse-stream'];

function nonNegativeInt(value: unknown, field: string, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new FaultSpecError(`${field} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
}

/** Checks that `value` is a `FaultSpec`; throws a `FaultSpecError` that says what is accepted. */
export function parseFaultSpec(value: unknown): FaultSpec {
  if (!value || typeof value !== 'object')
    throw new FaultSpecError(`a fault must be an object, got ${JSON.stringify(value)}`);
  const f = value as Record<string, unknown>;
  switch (f['kind']) {
    case 'http':
      if (!HTTP_STATUSES.includes(f['status'] as number)) {
        throw new FaultSpecError(
          `fault.status must be one of ${HTTP_STATUSES.join(', ')}, got ${JSON.stringify(f['status'])}`,
        );
      }
      break;
    case 'stream-exception':
      if (!STREAM_EXCEPTIONS.includes(f['type'] as StreamExceptionType)) {
        throw new FaultSpecError(
          `fault.type must be one of ${STREAM_EXCEPTIONS.join(', ')}, got ${JSON.stringify(f['type'])}`,
        );
      }
      nonNegativeInt(f['afterDeltas'], 'fault.afterDeltas');
      break;
    case 'reset':
      nonNegativeInt(f['afterDeltas'], 'fault.afterDeltas');
      nonNegativeInt(f['graceMs'], 'fault.graceMs', true);
      break;
    case 'corrupt-frame':
      nonNegativeInt(f['afterDeltas'], 'fault.afterDeltas');
      break;
    case 'stall':
      nonNegativeInt(f['afterDeltas'], 'fault.afterDeltas', true);
      break;
    default:
      throw new FaultSpecError(
        `fault.kind must be one of http, stream-exception, reset, stall, corrupt-frame, got ${JSON.stringify(f['kind'])}`,
      );
  }
  if (f['message'] !== undefined && typeof f['message'] !== 'string') {
    throw new FaultSpecError(`fault.message must be a string, got ${JSON.stringify(f['message'])}`);
  }
  // A misspelt field (`afterDelta`) would otherwise be ignored and the fault fire somewhere else than meant.
  const fields = FIELDS_OF_KIND[f['kind'] as FaultSpec['kind']];
  for (const key of Object.keys(f)) {
    if (!fields.includes(key)) {
      throw new FaultSpecError(
        `fault.${key} is not a field of a ${f['kind']} fault; its fields are ${fields.join(', ')}`,
      );
    }
  }
  return f as FaultSpec;
}

/** Parses the `x-llmeter-fault` header value. */
export function parseFaultHeader(value: string): FaultSpec {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new FaultSpecError(`${FAULT_HEADER} must hold a fault spec as JSON, got ${JSON.stringify(value)}`);
  }
  return parseFaultSpec(json);
}

/** Checks the rules given to the emulator (at start, so a bad rule fails early). */
export function validateFaultRules(rules: readonly FaultRule[]): void {
  if (!Array.isArray(rules))
    throw new FaultSpecError(`faults must be an array of fault rules, got ${JSON.stringify(rules)}`);
  rules.forEach((rule, i) => {
    if (!rule || typeof rule !== 'object' || Array.isArray(rule)) {
      throw new FaultSpecError(
        `faults[${i}] must be a fault rule { fault, rate?, modelId?, operation? }, got ${JSON.stringify(rule)}`,
      );
    }
    // A misspelt filter (`model`) would otherwise be ignored and the fault hit every request.
    for (const key of Object.keys(rule)) {
      if (!RULE_FIELDS.includes(key)) {
        throw new FaultSpecError(
          `faults[${i}].${key} is not a fault rule field; the fields are ${RULE_FIELDS.join(', ')}`,
        );
      }
    }
    if (rule.modelId !== undefined && typeof rule.modelId !== 'string' && !(rule.modelId instanceof RegExp)) {
      throw new FaultSpecError(
        `faults[${i}].modelId must be a string or a RegExp, got ${JSON.stringify(rule.modelId)}`,
      );
    }
    if (rule.operation !== undefined && !OPERATIONS.includes(rule.operation)) {
      throw new FaultSpecError(
        `faults[${i}].operation must be one of ${OPERATIONS.join(', ')}, got ${JSON.stringify(rule.operation)}`,
      );
    }
    try {
      parseFaultSpec(rule.fault);
    } catch (err) {
      throw new FaultSpecError(`faults[${i}]: ${(err as Error).message}`);
    }
    if (rule.rate !== undefined && !(typeof rule.rate === 'number' && rule.rate >= 0 && rule.rate <= 1)) {
      throw new FaultSpecError(`faults[${i}].rate must be between 0 and 1, got ${JSON.stringify(rule.rate)}`);
    }
  });
}

/** The first rule that matches the request and fires (its rate drawn from `rng`), if any. */
export function pickFault(
  rules: readonly FaultRule[],
  modelId: string,
  operation: Operation,
  rng: SeededRandom,
): FaultSpec | undefined {
  for (const rule of rules) {
    if (rule.operation && rule.operation !== operation) continue;
    if (rule.modelId !== undefined) {
      if (typeof rule.modelId === 'string') {
        if (rule.modelId !== modelId) continue;
      } else {
        rule.modelId.lastIndex = 0;
        if (!rule.modelId.test(modelId)) continue;
      }
    }
    const rate = rule.rate ?? 1;
    if (rate >= 1 || rng.next() < rate) return rule.fault;
  }
  return undefined;
}
