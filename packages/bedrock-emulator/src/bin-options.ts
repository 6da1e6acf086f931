import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { validateFaultRules } from './faults.js';
import { resolveProfile } from './profile.js';
import { loadRecordings } from './recordings.js';
import type { EmulatorOptions, FaultRule, LatencyProfile } from './types.js';

/** The `llmeter-bedrock-emulator` usage text. */
export const BIN_USAGE = `Usage: llmeter-bedrock-emulator [--host 127.0.0.1] [--port 0] [--seed 1] [--profile profile.json]
                               [--faults faults.json] [--recordings DIR]

A local Amazon Bedrock Runtime server (Converse, ConverseStream). Prints its URL, runs until SIGINT/SIGTERM.
  --profile     a JSON file with LatencyProfile fields (ttftMs, interTokenDelayMs, outputTokens, ...)
  --faults      a JSON file with an array of FaultRule ({ "fault": {...}, "rate": 0.1, "modelId": "..." })
  --recordings  a folder of NAME.json / NAME.chunks.txt recordings, replayed for model id NAME`;

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${what} from ${path}: ${(err as Error).message}`);
  }
}

function checkFile(path: string, check: () => unknown): void {
  try {
    check();
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${value}`);
  return n;
}

/** Parses the bin's arguments into emulator options (`'help'` for `--help`); throws with a message on bad input. */
export function parseBinArgs(args: string[]): EmulatorOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
      profile: { type: 'string' },
      faults: { type: 'string' },
      recordings: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const options: EmulatorOptions = {};
  if (values.host !== undefined) options.host = values.host;
  const port = intOption(values.port, 'port');
  if (port !== undefined) options.port = port;
  const seed = intOption(values.seed, 'seed');
  if (seed !== undefined) options.seed = seed;
  if (values.profile) {
    const profile = readJson(values.profile, 'the profile') as Partial<LatencyProfile>;
    // Checked here so that the message names the file as well as the field.
    checkFile(values.profile, () => resolveProfile(profile));
    options.profile = profile;
  }
  if (values.faults) {
    const faults = readJson(values.faults, 'the fault rules');
    if (!Array.isArray(faults)) throw new Error(`--faults must hold a JSON array of fault rules`);
    checkFile(values.faults, () => validateFaultRules(faults as FaultRule[]));
    options.faults = faults as FaultRule[];
  }
  if (values.recordings) options.recordings = loadRecordings(values.recordings);
  return options;
}
