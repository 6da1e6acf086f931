/**
 * Time per output token, seconds: (TTLT − TTFT) / (N − 1), only when N > 1 and both times are set;
 * otherwise null (never a division by zero, never NaN).
 */
export function timePerOutputToken(
  timeToFirstToken: number | null | undefined,
  timeToLastToken: number | null | undefined,
  numTokensOutput: number | null | undefined,
): number | null {
  if (timeToFirstToken == null || timeToLastToken == null || numTokensOutput == null) return null;
  if (!(numTokensOutput > 1)) return null;
  const v = (timeToLastToken - timeToFirstToken) / (numTokensOutput - 1);
  return Number.isFinite(v) ? v : null;
}

/** Every gap between consecutive chunk arrival times (seconds): the inter-chunk latency samples of one request. */
export function interChunkLatencies(chunkTimes: readonly number[] | null | undefined): number[] {
  if (!chunkTimes || chunkTimes.length < 2) return [];
  const out = new Array<number>(chunkTimes.length - 1);
  for (let i = 1; i < chunkTimes.length; i++) out[i - 1] = (chunkTimes[i] as number) - (chunkTimes[i - 1] as number);
  return out;
}

/** Service-level objectives in seconds; a request meets them when it did not fail and every one given holds. */
export interface SLO {
  /** Max time to first token, seconds. */
  ttft?: number;
  /** Max time per output token, seconds. */
  tpot?: number;
  /** Max time to last token, seconds. */
  ttlt?: number;
}

/** Whether one record meets every SLO given (errors never do; a missing measurement does not meet its SLO). */
export function meetsSLO(
  record: {
    error: string | null;
    timeToFirstToken: number | null;
    timeToLastToken: number | null;
    numTokensOutput: number | null;
    timePerOutputToken?: number | null;
  },
  slo: SLO,
): boolean {
  if (record.error !== null) return false;
  if (slo.ttft !== undefined && !(record.timeToFirstToken !== null && record.timeToFirstToken <= slo.ttft))
    return false;
  if (slo.ttlt !== undefined && !(record.timeToLastToken !== null && record.timeToLastToken <= slo.ttlt)) return false;
  if (slo.tpot !== undefined) {
    const tpot =
      record.timePerOutputToken ??
      timePerOutputToken(record.timeToFirstToken, record.timeToLastToken, record.numTokensOutput);
    // A single-token answer has no TPOT: it cannot violate it.
    if (tpot !== null && tpot > slo.tpot) return false;
  }
  return true;
}
