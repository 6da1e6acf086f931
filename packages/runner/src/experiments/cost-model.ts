import { InvocationResponse, LLMeterValidationError } from '@llmeter/core';
import type { InvokeInfo, RunCallbacks } from '../callbacks.js';
import { nonNegativeNumber, positiveNumber } from '../option-checks.js';
import type { Result } from '../result.js';
import { ValueSeries } from '../stats/value-series.js';

/** A cost charged per request. */
export interface RequestCostDimension {
  /** The dimension's name: stats key `cost_{name}`, record key `extra.cost_{name}`. */
  readonly name: string;
  /** This request's cost, in the price's currency. */
  requestCost(record: InvocationResponse): number;
}

/** A cost charged per run. */
export interface RunCostDimension {
  readonly name: string;
  /** The run's cost given its duration in seconds. */
  runCost(durationSeconds: number): number;
}

/** `n` billed in whole blocks of `granularity`: ⌈n/g⌉·g (LLMeter's rounding, for tokens and seconds alike). */
function billed(n: number, granularity: number): number {
  return Math.ceil(n / granularity) * granularity;
}

/** Tokens of one kind at `pricePerMillion` per million, billed in blocks of `granularity`: ⌈n/g⌉·g·price/10⁶. */
abstract class TokenCost implements RequestCostDimension {
  readonly name: string;
  readonly pricePerMillion: number;
  readonly granularity: number;
  constructor(pricePerMillion: number, options: { granularity?: number; name?: string }, defaultName: string) {
    this.pricePerMillion = nonNegativeNumber('pricePerMillion', pricePerMillion);
    this.granularity = positiveNumber('granularity', options.granularity ?? 1);
    this.name = options.name ?? defaultName;
  }
  /** The record's token count of this kind (null: none reported, billed as 0). */
  protected abstract tokens(record: InvocationResponse): number | null;
  requestCost(record: InvocationResponse): number {
    return (billed(this.tokens(record) ?? 0, this.granularity) * this.pricePerMillion) / 1e6;
  }
}

/** Input tokens at `pricePerMillion` per million, billed in blocks of `granularity` tokens (default 1). */
export class InputTokens extends TokenCost {
  constructor(pricePerMillion: number, options: { granularity?: number; name?: string } = {}) {
    super(pricePerMillion, options, 'InputTokens');
  }
  protected tokens(record: InvocationResponse): number | null {
    return record.numTokensInput;
  }
}

/** Output tokens (reasoning included) at `pricePerMillion` per million, in blocks of `granularity` (default 1). */
export class OutputTokens extends TokenCost {
  constructor(pricePerMillion: number, options: { granularity?: number; name?: string } = {}) {
    super(pricePerMillion, options, 'OutputTokens');
  }
  protected tokens(record: InvocationResponse): number | null {
    return record.numTokensOutput;
  }
}

/** Endpoint time at `pricePerHour`, billed in blocks of `granularitySecs` seconds (default 1): ⌈t/g⌉·g·price/3600. */
export class EndpointTime implements RunCostDimension {
  readonly name: string;
  readonly pricePerHour: number;
  readonly granularitySecs: number;
  constructor(pricePerHour: number, options: { granularitySecs?: number; name?: string } = {}) {
    this.pricePerHour = nonNegativeNumber('pricePerHour', pricePerHour);
    this.granularitySecs = positiveNumber('granularitySecs', options.granularitySecs ?? 1);
    this.name = options.name ?? 'EndpointTime';
  }
  runCost(durationSeconds: number): number {
    return (billed(durationSeconds, this.granularitySecs) * this.pricePerHour) / 3600;
  }
}

/** Options of `CostModel`. */
export interface CostModelOptions {
  requestDimensions?: RequestCostDimension[];
  runDimensions?: RunCostDimension[];
}

/**
 * Costs of a run, as a runner callback: each record gets `extra.cost_{dimension}` and `extra.cost_request`
 * (its request dimensions summed); the run's stats get `cost_{dimension}` (summed over requests, or per run),
 * `cost_total`, and `cost_per_request-average|p50|p90|p99` (type-7 percentiles). Warm-up requests are not
 * charged. `calculate(result)` computes the same for a loaded result.
 */
export class CostModel implements RunCallbacks {
  readonly requestDimensions: RequestCostDimension[];
  readonly runDimensions: RunCostDimension[];
  private perRequest = new ValueSeries('exact');
  private sums = new Map<string, number>();

  constructor(options: CostModelOptions = {}) {
    this.requestDimensions = options.requestDimensions ?? [];
    this.runDimensions = options.runDimensions ?? [];
    const names = [...this.requestDimensions, ...this.runDimensions].map((d) => d.name);
    if (new Set(names).size !== names.length)
      throw new LLMeterValidationError(`cost dimension names must be unique, got ${names.join(', ')}`);
  }

  /** The costs of one record, by dimension, plus `request` (their sum). */
  requestCosts(record: InvocationResponse): Record<string, number> {
    const out: Record<string, number> = {};
    let total = 0;
    for (const d of this.requestDimensions) {
      const c = d.requestCost(record);
      out[d.name] = c;
      total += c;
    }
    out['request'] = total;
    return out;
  }

  beforeRun(): void {
    this.perRequest = new ValueSeries('exact');
    this.sums = new Map();
  }

  afterInvoke(record: InvocationResponse, info?: InvokeInfo): void {
    if (info?.warmup) return;
    const costs = this.requestCosts(record);
    const extra: Record<string, unknown> = { ...(record.extra ?? {}) };
    for (const [k, v] of Object.entries(costs)) {
      extra[`cost_${k}`] = v;
      this.sums.set(k, (this.sums.get(k) ?? 0) + v);
    }
    record.extra = extra;
    this.perRequest.add(costs['request'] as number);
  }

  afterRun(result: Result): void {
    Object.assign(result.stats, this.statsFrom(result.totalTestTime ?? 0));
  }

  /** The cost statistics of a result's records (e.g. one loaded with `Result.load`). */
  calculate(result: Result): Record<string, number | null> {
    this.beforeRun();
    for (const r of result.responses) this.afterInvoke(new InvocationResponse({ ...r }));
    return this.statsFrom(result.totalTestTime ?? 0);
  }

  private statsFrom(durationSeconds: number): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    let total = 0;
    for (const d of this.requestDimensions) {
      const s = this.sums.get(d.name) ?? 0;
      out[`cost_${d.name}`] = s;
      total += s;
    }
    for (const d of this.runDimensions) {
      const c = d.runCost(durationSeconds);
      out[`cost_${d.name}`] = c;
      total += c;
    }
    out['cost_total'] = total;
    out['cost_per_request-average'] = this.perRequest.average;
    const [p50, p90, p99] = this.perRequest.percentiles([50, 90, 99]);
    out['cost_per_request-p50'] = p50 ?? null;
    out['cost_per_request-p90'] = p90 ?? null;
    out['cost_per_request-p99'] = p99 ?? null;
    return out;
  }
}
