import { mkdirSync } from 'node:fs';
import { createConversePayload } from '@llmeter/bedrock';
import type { Payload, SLO } from '@llmeter/core';
import type { PayloadSource, RunnerOptions, WarmupOption } from '@llmeter/runner';
import { loadPayloads } from '@llmeter/runner';
import { type Command, Option } from 'commander';
import { CliExit } from '../cli-io.js';
import { collect, existingPath, nonEmpty, positiveInteger, positiveNumber, slo, warmup } from './option-parsers.js';

/** The prompt sent when neither `--payload` nor `--prompt` is given. */
export const DEFAULT_PROMPT = 'Write a short story about a lighthouse keeper who finds a message in a bottle.';

/** The folder run folders go to when `--out` is not given. */
export const DEFAULT_OUT = '.llmeter-runs';

/** Parsed payload and request flags shared by `run`, `sweep` and `heatmap`. */
export interface LoadFlags {
  payload?: string;
  prompt?: string[];
  maxTokens?: number;
  requests?: number;
  duration?: number;
  timeout?: number;
  warmup?: WarmupOption;
  slo?: SLO;
  seed?: number;
  out: string;
  runName?: string;
  report?: boolean;
  json?: boolean;
  quiet?: boolean;
  lowMemory?: boolean;
}

/** Adds `--payload`, `--prompt` and `--max-tokens`. */
export function addPayloadOptions(cmd: Command): Command {
  return cmd
    .optionsGroup('Payload:')
    .addOption(
      new Option(
        '--payload <path>',
        'Converse requests: a .json file (object or array), a .jsonl file, or a folder of them',
      )
        .argParser(existingPath)
        .conflicts('prompt'),
    )
    .option('--prompt <text>', `prompt text; repeat for several prompts (default: a short-story prompt)`, collect)
    .option(
      '--max-tokens <n>',
      "maxTokens of each request (default 256 for prompts; with --payload it replaces the payloads' own)",
      positiveInteger,
    );
}

/** Adds the request-count, timing, SLO and output flags. */
export function addRunOutputOptions(cmd: Command, what: 'run' | 'experiment' = 'run'): Command {
  return cmd
    .optionsGroup('Requests and output:')
    .option('--timeout <seconds>', 'per-request timeout in seconds (default 60)', positiveNumber)
    .option('--warmup <n|Ns>', 'warm-up requests kept out of the results: a count (5) or seconds (10s)', warmup)
    .option('--slo <objectives>', 'goodput objectives in seconds, e.g. ttft=0.5,tpot=0.05 (keys ttft, tpot, ttlt)', slo)
    .option('--seed <n>', 'seed of payload order and random arrivals (default 1)', positiveInteger)
    .option('--out <dir>', `parent folder of the ${what} folder`, nonEmpty, DEFAULT_OUT)
    .option('--run-name <name>', `name of the ${what} folder (default: a UTC timestamp)`, nonEmpty)
    .option(
      '--low-memory',
      'keep no records in memory (percentiles from a quantile sketch); responses.jsonl is still written',
    )
    .option('--report', `also write report.html into the ${what} folder`)
    .option('--json', 'print the result as JSON on stdout (progress stays on stderr)')
    .option('-q, --quiet', 'plain progress lines every few seconds instead of a live bar');
}

/** The payload source the flags describe. */
export function payloadFrom(flags: LoadFlags): PayloadSource {
  if (flags.payload) return flags.payload;
  const prompts = flags.prompt?.length ? flags.prompt : [DEFAULT_PROMPT];
  const payloads: Payload[] = prompts.map((p) =>
    createConversePayload(p, flags.maxTokens !== undefined ? { maxTokens: flags.maxTokens } : {}),
  );
  return payloads.length === 1 ? (payloads[0] as Payload) : payloads;
}

/**
 * The payloads the flags describe, with `--max-tokens` set in every payload of a `--payload` file (an explicit
 * flag wins over the file's `inferenceConfig.maxTokens`). Throws the runner's error naming the file when it
 * cannot be read.
 */
export async function resolvePayloads(flags: LoadFlags): Promise<PayloadSource> {
  const source = payloadFrom(flags);
  if (!flags.payload || flags.maxTokens === undefined) return source;
  const loaded = await loadPayloads(source);
  if (!Array.isArray(loaded)) return loaded;
  const maxTokens = flags.maxTokens;
  return loaded.map((p: Payload) => {
    const config = p['inferenceConfig'];
    const base = config && typeof config === 'object' && !Array.isArray(config) ? config : {};
    return { ...p, inferenceConfig: { ...base, maxTokens } };
  });
}

/** The runner options the shared flags set. */
export type SharedRunnerOptions = Pick<RunnerOptions, 'payload'> &
  Partial<Pick<RunnerOptions, 'nRequests' | 'runDuration' | 'timeout' | 'warmup' | 'slo' | 'seed' | 'lowMemory'>>;

/** The runner options every measuring command's flags set (`--timeout`, `--warmup`, `--slo`, `--seed`). */
export type RequestRunnerOptions = Partial<Pick<RunnerOptions, 'timeout' | 'warmup' | 'slo' | 'seed'>>;

/** The runner options of `--timeout`, `--warmup`, `--slo` and `--seed` (only those given: the runner keeps its defaults). */
export function requestOptionsFrom(
  flags: Pick<LoadFlags, 'timeout' | 'warmup' | 'slo' | 'seed'>,
): RequestRunnerOptions {
  const o: RequestRunnerOptions = {};
  if (flags.timeout !== undefined) o.timeout = flags.timeout;
  if (flags.warmup !== undefined) o.warmup = flags.warmup;
  if (flags.slo !== undefined) o.slo = flags.slo;
  if (flags.seed !== undefined) o.seed = flags.seed;
  return o;
}

/** The runner options the shared flags set (only those given: the runner keeps its own defaults). */
export function runnerOptionsFrom(flags: LoadFlags, payload: PayloadSource = payloadFrom(flags)): SharedRunnerOptions {
  const o: SharedRunnerOptions = { payload, ...requestOptionsFrom(flags) };
  if (flags.requests !== undefined) o.nRequests = flags.requests;
  if (flags.duration !== undefined) o.runDuration = flags.duration;
  if (flags.lowMemory) o.lowMemory = true;
  return o;
}

/**
 * Creates the `--out` folder before anything is measured, so a run whose results could not be saved never starts:
 * a path that is not a folder is a usage error (exit 2), one that cannot be created (permissions) exit 1.
 */
export function prepareOutFolder(out: string): void {
  try {
    mkdirSync(out, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new CliExit(`option '--out <dir>': ${out} is not a folder (run folders are written inside it)`, 2);
    }
    throw new CliExit(`option '--out <dir>': cannot create ${out}: ${(error as Error).message}`, 1);
  }
}
