import { LLMeterValidationError } from '@llmeter/core';

/** `value` when it is a finite number > 0; otherwise throws naming `name` and the value. */
export function positiveNumber(name: string, value: unknown): number {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new LLMeterValidationError(`${name} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `value` when it is a finite number >= 0; otherwise throws naming `name` and the value. */
export function nonNegativeNumber(name: string, value: unknown): number {
  if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
    throw new LLMeterValidationError(`${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `value` when it is an integer > 0; otherwise throws naming `name` and the value. */
export function positiveInteger(name: string, value: unknown): number {
  if (!(Number.isInteger(value) && (value as number) > 0)) {
    throw new LLMeterValidationError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value as number;
}
