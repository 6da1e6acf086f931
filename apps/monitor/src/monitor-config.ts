import { readFile } from 'node:fs/promises';
import { LLMeterValidationError, type Payload } from '@llmeter/core';

/** A Bedrock operation the monitor probes. */
export type ProbeOperation = 'converse' | 'converse-stream';

/** One probe: a prompt (or a whole Converse request) sent to every model each interval. */
export interface ProbeConfig {
  /** A short name (for logs; never a metric attribute). */
  name: string;
  /** The user message. Either this or `payload`. */
  prompt?: string;
  /** A whole Converse request body (without `modelId`). Either this or `prompt`. */
  payload?: Payload;
  /** `inferenceConfig.maxTokens` for a `prompt` probe. Default 64. */
  maxTokens?: number;
}

/** One probed model. */
export interface ModelConfig {
  /** A Bedrock model id, inference profile id or ARN. */
  modelId: string;
  /** Operations to probe it with. Default `['converse-stream']`. */
  operations: ProbeOperation[];
}

/** The embedded emulator's settings (the `target: 'emulator'` mode). */
export interface EmulatorConfig {
  /** The latency profile (see the emulator's `LatencyProfile`). Default: the emulator's own. */
  profile?: Record<string, unknown>;
  /** The emulator's seed. Default 1. */
  seed?: number;
  /** Fault rules (see the emulator's `FaultRule`), e.g. `[{ "fault": { "kind": "http", "status": 429 }, "rate": 0.05 }]`. */
  faults?: Record<string, unknown>[];
}

/** The monitor's whole configuration, validated; the defaults live in `DEFAULT_CONFIG`. */
export interface MonitorConfig {
  /** `emulator` (an in-process Bedrock emulator) or `bedrock` (real Amazon Bedrock, AWS credentials from the SDK chain). */
  target: 'emulator' | 'bedrock';
  /** Milliseconds from one probe round's start to the next's. */
  intervalMs: number;
  /** Per-request deadline, milliseconds (a slower request is recorded with `error.type=timeout`). */
  timeoutMs: number;
  /** Interface of the metrics server. Default `127.0.0.1`; `0.0.0.0` to be scraped from elsewhere (containers). */
  host: string;
  /** Port of the metrics server (`/metrics`, `/stats`, `/healthz`); 0 picks a free one. */
  port: number;
  /** AWS region for `bedrock`. */
  region: string;
  /** A custom Bedrock Runtime URL (e.g. a VPC endpoint). Null: the regional endpoint (or the emulator's). */
  endpointUrl: string | null;
  /** Attempts per probe request, retries included. Default 1: a monitor shows failures instead of hiding them. */
  maxAttempts: number;
  /** Finer histogram buckets (ten per decade) instead of the GenAI semantic conventions' doubling ones. */
  fineBuckets: boolean;
  /** How many recent values per model and operation `/stats` keeps for its exact percentiles. */
  statsWindow: number;
  models: ModelConfig[];
  probes: ProbeConfig[];
  emulator: EmulatorConfig;
}

/** The models the emulator mode probes when none are configured. */
export const EMULATOR_DEFAULT_MODELS: readonly ModelConfig[] = Object.freeze([
  { modelId: 'anthropic.claude-3-haiku-20240307-v1:0', operations: ['converse', 'converse-stream'] },
  { modelId: 'amazon.nova-lite-v1:0', operations: ['converse', 'converse-stream'] },
]);

/** Every default, in one place. */
export const DEFAULT_CONFIG: Readonly<Omit<MonitorConfig, 'target' | 'models'>> = Object.freeze({
  intervalMs: 30_000,
  timeoutMs: 60_000,
  host: '127.0.0.1',
  port: 9464,
  region: 'us-east-1',
  endpointUrl: null,
  maxAttempts: 1,
  fineBuckets: false,
  statsWindow: 1000,
  probes: [{ name: 'short-answer', prompt: 'In one sentence, why is the sea salty?', maxTokens: 64 }],
  emulator: {},
});

/** A configuration error: the message names the field, where it came from, and what is accepted. */
export class MonitorConfigError extends LLMeterValidationError {
  override name = 'MonitorConfigError';
}

/** Environment variables read by `loadMonitorConfig` (each wins over the file). */
export const ENV_VARS = Object.freeze({
  config: 'LLMETER_MONITOR_CONFIG',
  target: 'LLMETER_MONITOR_TARGET',
  intervalMs: 'LLMETER_MONITOR_INTERVAL_MS',
  timeoutMs: 'LLMETER_MONITOR_TIMEOUT_MS',
  host: 'LLMETER_MONITOR_HOST',
  port: 'LLMETER_MONITOR_PORT',
  region: 'LLMETER_MONITOR_REGION',
  endpointUrl: 'LLMETER_MONITOR_ENDPOINT_URL',
  maxAttempts: 'LLMETER_MONITOR_MAX_ATTEMPTS',
  fineBuckets: 'LLMETER_MONITOR_FINE_BUCKETS',
  models: 'LLMETER_MONITOR_MODELS',
  operations: 'LLMETER_MONITOR_OPERATIONS',
});

const KNOWN_KEYS = new Set([
  'target',
  'intervalMs',
  'timeoutMs',
  'host',
  'port',
  'region',
  'endpointUrl',
  'maxAttempts',
  'fineBuckets',
  'statsWindow',
  'models',
  'probes',
  'emulator',
]);
const OPERATIONS: readonly ProbeOperation[] = ['converse', 'converse-stream'];

type Source = (field: string) => string;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Checker {
  constructor(private readonly source: Source) {}

  fail(field: string, expected: string, got: unknown): never {
    throw new MonitorConfigError(`${field} (${this.source(field)}) must be ${expected}, got ${JSON.stringify(got)}`);
  }

  integer(field: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max)) {
      this.fail(
        field,
        max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
        v,
      );
    }
    return v;
  }

  string(field: string, v: unknown): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(field, 'a non-empty string', v);
    return v;
  }

  boolean(field: string, v: unknown): boolean {
    if (typeof v !== 'boolean') this.fail(field, 'true or false', v);
    return v;
  }

  /** Fails on the first key of the object at `field` that is not one of `known`. */
  knownKeys(field: string, obj: Record<string, unknown>, known: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) this.fail(`${field}.${key}`, `absent (known: ${known.join(', ')})`, obj[key]);
    }
  }
}

/** Reads an integer from an environment variable (the field it sets is named in the error). */
function envInteger(raw: string): number | string {
  return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
}

function envBoolean(raw: string): boolean | string {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return raw;
}

/** ` at line L, column C` for a `JSON.parse` error that gives a position (Node 20 says only `position N`). */
function jsonErrorLocation(text: string, error: unknown): string {
  const match = /position (\d+)/.exec((error as Error)?.message ?? '');
  if (!match) return '';
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}

/** Where `loadMonitorConfig` reads from. */
export interface LoadMonitorConfigOptions {
  /** A JSON config file. Default: `LLMETER_MONITOR_CONFIG`, else none. */
  file?: string;
  /** The environment. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * Loads the configuration: defaults, then the JSON file (`--config` or `LLMETER_MONITOR_CONFIG`), then
 * `LLMETER_MONITOR_*` variables. Throws `MonitorConfigError` naming the field and its source.
 * With no models configured the target is the embedded emulator; with models, real Bedrock (unless `target` says).
 */
export async function loadMonitorConfig(options: LoadMonitorConfigOptions = {}): Promise<MonitorConfig> {
  const env = options.env ?? process.env;
  const file = options.file ?? env[ENV_VARS.config];
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new MonitorConfigError(`cannot read config file ${file}: ${(error as Error).message}`, { cause: error });
    }
    try {
      fromFile = JSON.parse(text);
    } catch (error) {
      throw new MonitorConfigError(
        `config file ${file} is not valid JSON${jsonErrorLocation(text, error)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!isObject(fromFile)) throw new MonitorConfigError(`config file ${file} must hold a JSON object`);
  }
  return resolveMonitorConfig(fromFile, env, file);
}

/** Validates a config object (as parsed from JSON) merged with the environment; see `loadMonitorConfig`. */
export function resolveMonitorConfig(
  fromFile: Record<string, unknown>,
  env: Record<string, string | undefined> = {},
  file?: string,
): MonitorConfig {
  const raw: Record<string, unknown> = { ...fromFile };
  const envSet = new Map<string, string>();
  const fromEnv = (field: string, name: string, parse: (s: string) => unknown = (s) => s) => {
    const value = env[name];
    if (value === undefined || value === '') return;
    raw[field] = parse(value);
    envSet.set(field, name);
  };
  fromEnv('target', ENV_VARS.target);
  fromEnv('intervalMs', ENV_VARS.intervalMs, (s) => envInteger(s));
  fromEnv('timeoutMs', ENV_VARS.timeoutMs, (s) => envInteger(s));
  fromEnv('host', ENV_VARS.host);
  fromEnv('port', ENV_VARS.port, (s) => envInteger(s));
  fromEnv('region', ENV_VARS.region);
  fromEnv('endpointUrl', ENV_VARS.endpointUrl);
  fromEnv('maxAttempts', ENV_VARS.maxAttempts, (s) => envInteger(s));
  fromEnv('fineBuckets', ENV_VARS.fineBuckets, envBoolean);
  const envOperations = env[ENV_VARS.operations]?.trim();
  const envModels = env[ENV_VARS.models]?.trim();
  if (envModels) {
    const operations = envOperations ? envOperations.split(',').map((s) => s.trim()) : undefined;
    raw['models'] = envModels
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((modelId) => (operations ? { modelId, operations } : { modelId }));
    envSet.set('models', ENV_VARS.models);
  }
  if (raw['region'] === undefined && env['AWS_REGION']) {
    raw['region'] = env['AWS_REGION'];
    envSet.set('region', 'AWS_REGION');
  }

  const source: Source = (field) => {
    const top = field.split(/[.[]/)[0] as string;
    const name = envSet.get(top);
    if (name) return `from ${name}`;
    return file ? `in ${file}` : 'in the config';
  };
  const c: Checker = new Checker(source);
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new MonitorConfigError(
        `unknown config key ${JSON.stringify(key)} (${source(key)}); known keys: ${[...KNOWN_KEYS].join(', ')}`,
      );
    }
  }

  const d = DEFAULT_CONFIG;
  const hasModels = raw['models'] !== undefined;
  const targetRaw = raw['target'] ?? (hasModels ? 'bedrock' : 'emulator');
  if (targetRaw !== 'emulator' && targetRaw !== 'bedrock') c.fail('target', '"emulator" or "bedrock"', targetRaw);
  const target: MonitorConfig['target'] = targetRaw;

  const models = hasModels ? parseModels(c, raw['models']) : [...EMULATOR_DEFAULT_MODELS].map((m) => ({ ...m }));
  if (target === 'bedrock' && !hasModels) {
    throw new MonitorConfigError(
      `models (${source('models')}) must name at least one Bedrock model id for target "bedrock" (e.g. ${ENV_VARS.models}=amazon.nova-lite-v1:0)`,
    );
  }

  const endpointUrl = raw['endpointUrl'] ?? d.endpointUrl;
  if (endpointUrl !== null) {
    const url = c.string('endpointUrl', endpointUrl);
    try {
      new URL(url);
    } catch {
      c.fail('endpointUrl', 'an absolute URL', url);
    }
  }

  const emulatorRaw = raw['emulator'] ?? d.emulator;
  if (!isObject(emulatorRaw)) c.fail('emulator', 'an object', emulatorRaw);
  const emulator: Record<string, unknown> = emulatorRaw;
  if (emulator['profile'] !== undefined && !isObject(emulator['profile'])) {
    c.fail('emulator.profile', 'an object (a latency profile)', emulator['profile']);
  }
  if (emulator['seed'] !== undefined) c.integer('emulator.seed', emulator['seed'], 0);
  if (emulator['faults'] !== undefined && !(Array.isArray(emulator['faults']) && emulator['faults'].every(isObject))) {
    c.fail('emulator.faults', 'a list of fault rules', emulator['faults']);
  }
  c.knownKeys('emulator', emulator, ['profile', 'seed', 'faults']);

  const intervalMs = c.integer('intervalMs', raw['intervalMs'] ?? d.intervalMs, 10);
  const timeoutMs = c.integer('timeoutMs', raw['timeoutMs'] ?? d.timeoutMs, 1);
  return {
    target,
    intervalMs,
    timeoutMs,
    host: c.string('host', raw['host'] ?? d.host),
    port: c.integer('port', raw['port'] ?? d.port, 0, 65535),
    region: c.string('region', raw['region'] ?? d.region),
    endpointUrl: endpointUrl as string | null,
    maxAttempts: c.integer('maxAttempts', raw['maxAttempts'] ?? d.maxAttempts, 1, 10),
    fineBuckets: c.boolean('fineBuckets', raw['fineBuckets'] ?? d.fineBuckets),
    statsWindow: c.integer('statsWindow', raw['statsWindow'] ?? d.statsWindow, 1, 1_000_000),
    models,
    probes: parseProbes(c, raw['probes'] ?? d.probes),
    emulator: emulator as EmulatorConfig,
  };
}

function parseModels(c: Checker, value: unknown): ModelConfig[] {
  if (!Array.isArray(value) || value.length === 0) c.fail('models', 'a non-empty list of models', value);
  const seen = new Set<string>();
  return value.map((m, i) => {
    const field = `models[${i}]`;
    const entry = typeof m === 'string' ? { modelId: m } : m;
    if (!isObject(entry)) c.fail(field, 'a model id or { modelId, operations }', m);
    c.knownKeys(field, entry, ['modelId', 'operations']);
    const modelId = c.string(`${field}.modelId`, entry['modelId']);
    if (seen.has(modelId)) c.fail(`${field}.modelId`, 'unique', modelId);
    seen.add(modelId);
    const ops = entry['operations'] ?? ['converse-stream'];
    if (!Array.isArray(ops) || ops.length === 0) c.fail(`${field}.operations`, 'a non-empty list', ops);
    ops.forEach((op, j) => {
      if (!OPERATIONS.includes(op)) c.fail(`${field}.operations[${j}]`, '"converse" or "converse-stream"', op);
    });
    return { modelId, operations: [...new Set(ops as ProbeOperation[])] };
  });
}

function parseProbes(c: Checker, value: unknown): ProbeConfig[] {
  if (!Array.isArray(value) || value.length === 0) c.fail('probes', 'a non-empty list of probes', value);
  return value.map((p, i) => {
    const field = `probes[${i}]`;
    if (!isObject(p)) c.fail(field, 'an object { name, prompt | payload, maxTokens? }', p);
    c.knownKeys(field, p, ['name', 'prompt', 'payload', 'maxTokens']);
    const probe: ProbeConfig = { name: c.string(`${field}.name`, p['name'] ?? `probe-${i + 1}`) };
    if ((p['prompt'] === undefined) === (p['payload'] === undefined)) {
      c.fail(field, 'given exactly one of prompt and payload', p);
    }
    if (p['prompt'] !== undefined) probe.prompt = c.string(`${field}.prompt`, p['prompt']);
    if (p['payload'] !== undefined) {
      if (!isObject(p['payload']) || !Array.isArray(p['payload']['messages'])) {
        c.fail(`${field}.payload`, 'a Converse request object with messages', p['payload']);
      }
      probe.payload = p['payload'];
    }
    if (p['maxTokens'] !== undefined) probe.maxTokens = c.integer(`${field}.maxTokens`, p['maxTokens'], 1);
    return probe;
  });
}
