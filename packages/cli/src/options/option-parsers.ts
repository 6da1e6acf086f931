import { existsSync, readFileSync } from 'node:fs';
import type { SLO } from '@llmeter/core';
import { InvalidArgumentError } from 'commander';

/*
 * Value parsers for commander options. Each throws `InvalidArgumentError` with what is accepted; commander
 * prefixes the flag: `error: option '--rate <rps>' argument 'abc' is invalid. must be a positive number`.
 */

/** A positive integer (`--clients 4`). */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError('must be a positive integer.');
  }
  return n;
}

/** A non-negative integer (`--port 0`, `--seed 7`). */
export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('must be a non-negative integer.');
  }
  return n;
}

/** A TCP port, 0 (any free port) to 65535. */
export function port(value: string): number {
  const n = nonNegativeInteger(value);
  if (n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535.');
  return n;
}

/** A non-blank string (`--model-id`, `--region`, `--out`): an empty value is a mistake, not a default. */
export function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty.');
  return value;
}

/** A positive finite number (`--rate 2.5`, `--timeout 30`). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('must be a positive number.');
  return n;
}

/** A comma-separated list of positive numbers, kept in the order given (`--rates 5,10,20`). */
export function positiveNumberList(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === '' || !Number.isFinite(Number(p)) || Number(p) <= 0)) {
    throw new InvalidArgumentError('must be a comma-separated list of positive numbers, e.g. 5,10,20.');
  }
  return parts.map(Number);
}

/** A comma-separated list of positive integers (`--clients 1,2,4`). */
export function positiveIntegerList(value: string): number[] {
  const list = positiveNumberList(value);
  if (list.some((n) => !Number.isInteger(n))) {
    throw new InvalidArgumentError('must be a comma-separated list of positive integers, e.g. 1,4,16.');
  }
  return list;
}

/** Warm-up: a request count (`5`) or seconds with an `s` suffix (`10s`). */
export function warmup(value: string): number | { seconds: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s)?\s*$/.exec(value);
  if (!m)
    throw new InvalidArgumentError('must be a number of requests (e.g. 5) or seconds with an s suffix (e.g. 10s).');
  const n = Number(m[1]);
  if (m[2]) return { seconds: n };
  if (!Number.isInteger(n)) throw new InvalidArgumentError('a request count must be an integer (add s for seconds).');
  return n;
}

const SLO_KEYS = ['ttft', 'tpot', 'ttlt'] as const;

/** Service-level objectives in seconds: `ttft=0.5,tpot=0.05` (keys ttft, tpot, ttlt). */
export function slo(value: string): SLO {
  const out: SLO = {};
  for (const part of value.split(',')) {
    const m = /^\s*([a-z]+)\s*=\s*([^=]+?)\s*$/i.exec(part);
    const key = m?.[1]?.toLowerCase() as (typeof SLO_KEYS)[number] | undefined;
    if (!m || !key || !SLO_KEYS.includes(key)) {
      throw new InvalidArgumentError(
        `must be key=seconds pairs with keys ${SLO_KEYS.join(', ')}, e.g. ttft=0.5,tpot=0.05.`,
      );
    }
    const n = Number(m[2]);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${key} must be a positive number of seconds.`);
    out[key] = n;
  }
  return out;
}

/** An absolute http(s) URL. */
export function url(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new InvalidArgumentError('must be an absolute http:// or https:// URL.');
  }
  return value;
}

/** Inline JSON (starting with `{` or `[`) or the path of a JSON file. */
export function jsonOrFile(value: string): unknown {
  const text = value.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new InvalidArgumentError(`is not valid JSON: ${(error as Error).message}.`);
    }
  }
  if (!existsSync(value))
    throw new InvalidArgumentError('must be inline JSON or the path of a JSON file (no such file).');
  try {
    return JSON.parse(readFileSync(value, 'utf8'));
  } catch (error) {
    throw new InvalidArgumentError(`${value} is not valid JSON: ${(error as Error).message}.`);
  }
}

/** Collects a repeatable string option into a list (`--prompt a --prompt b`); an empty value is refused. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), nonEmpty(value)];
}

/** A path that exists. */
export function existingPath(value: string): string {
  if (!existsSync(value)) throw new InvalidArgumentError('no such file or folder.');
  return value;
}
