import type { LatencyProfile } from './types.js';

/** The profile used where `EmulatorOptions.profile` leaves a field out. */
export const DEFAULT_PROFILE: Readonly<LatencyProfile> = Object.freeze<LatencyProfile>({
  ttftMs: { distribution: 'lognormal', mean: 300, stddev: 100 },
  interTokenDelayMs: 15,
  tokensPerDelta: 1,
  outputTokens: { min: 32, max: 128 },
  reasoningDeltas: 0,
  cacheReadInputTokens: 0,
  cacheWriteInputTokens: 0,
  splitMetadata: false,
  emptyDeltas: false,
  padding: true,
});

const FIELDS = Object.keys(DEFAULT_PROFILE);
const BOOLEAN_FIELDS = ['splitMetadata', 'emptyDeltas', 'padding'] as const;
const DISTRIBUTION_NUMBERS = ['mean', 'min', 'max', 'stddev'] as const;

/**
 * The default profile with `overrides` applied; throws a `RangeError` naming the field (`profile.ttftMs…`) for a
 * value that cannot work or a field the profile does not have (a typo would otherwise leave a default in place).
 */
export function resolveProfile(overrides: Partial<LatencyProfile> = {}): LatencyProfile {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new RangeError(`profile must be an object of LatencyProfile fields, got ${JSON.stringify(overrides)}`);
  }
  const p: LatencyProfile = { ...DEFAULT_PROFILE };
  for (const [k, v] of Object.entries(overrides)) {
    if (!FIELDS.includes(k)) {
      throw new RangeError(`profile.${k} is not a LatencyProfile field; the fields are ${FIELDS.join(', ')}`);
    }
    if (v !== undefined) (p as unknown as Record<string, unknown>)[k] = v;
  }
  for (const name of BOOLEAN_FIELDS) {
    if (typeof p[name] !== 'boolean') {
      throw new RangeError(`profile.${name} must be true or false, got ${JSON.stringify(p[name])}`);
    }
  }
  const nonNegative = (name: string, v: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`profile.${name} must be a non-negative number, got ${JSON.stringify(v)}`);
    }
  };
  nonNegative('interTokenDelayMs', p.interTokenDelayMs);
  nonNegative('reasoningDeltas', p.reasoningDeltas);
  nonNegative('cacheReadInputTokens', p.cacheReadInputTokens);
  nonNegative('cacheWriteInputTokens', p.cacheWriteInputTokens);
  if (!Number.isInteger(p.tokensPerDelta) || p.tokensPerDelta < 1) {
    throw new RangeError(`profile.tokensPerDelta must be a positive integer, got ${JSON.stringify(p.tokensPerDelta)}`);
  }
  if (typeof p.outputTokens === 'number') nonNegative('outputTokens', p.outputTokens);
  else if (
    typeof p.outputTokens !== 'object' ||
    p.outputTokens === null ||
    !(p.outputTokens.min >= 0 && p.outputTokens.max >= p.outputTokens.min)
  ) {
    throw new RangeError(
      `profile.outputTokens must be { min, max } with 0 <= min <= max, got ${JSON.stringify(p.outputTokens)}`,
    );
  }
  if (typeof p.ttftMs === 'number') nonNegative('ttftMs', p.ttftMs);
  else if (typeof p.ttftMs !== 'object' || p.ttftMs === null || Array.isArray(p.ttftMs)) {
    throw new RangeError(
      `profile.ttftMs must be a number of ms or { distribution, mean, stddev, min, max }, got ${JSON.stringify(p.ttftMs)}`,
    );
  } else {
    if (!['constant', 'uniform', 'normal', 'lognormal'].includes(p.ttftMs.distribution)) {
      throw new RangeError(
        `profile.ttftMs.distribution must be constant, uniform, normal or lognormal, got ${JSON.stringify(p.ttftMs.distribution)}`,
      );
    }
    for (const key of DISTRIBUTION_NUMBERS) {
      const v = p.ttftMs[key];
      if (v !== undefined) nonNegative(`ttftMs.${key}`, v);
    }
  }
  return p;
}
