import { accessSync, closeSync, constants, createReadStream, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { access, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordSink, RunEndInfo, RunStartInfo } from '@llmeter/core';
import { InvocationResponse, LLMeterValidationError, stringifyJSON } from '@llmeter/core';
import { jsonErrorOffset, lineColumnOf } from './json-error-location.js';

/** File names of the LLMeter run folder (plus our sidecar `responses_ext.jsonl`). */
export const RUN_FILES = {
  config: 'run_config.json',
  payloads: 'payload.jsonl',
  responses: 'responses.jsonl',
  responsesExt: 'responses_ext.jsonl',
  summary: 'summary.json',
  stats: 'stats.json',
} as const;

/**
 * Creates a run folder and checks it is writable; throws an `LLMeterValidationError` naming the folder otherwise
 * (a runner calls it before the first request, so an unwritable `outputPath` never costs a run its files).
 */
export function prepareRunFolder(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
    accessSync(path, constants.W_OK);
  } catch (cause) {
    throw new LLMeterValidationError(`outputPath: cannot write the run folder ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Writes a whole file through a temporary one and a rename: a kill mid-write never leaves half a JSON file. */
async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** Options of `RunFolderWriter`. */
export interface RunFolderWriterOptions {
  /** The run folder, created when missing. */
  path: string;
}

/**
 * Writes an LLMeter run folder as a `RecordSink`. Each record is appended the moment it arrives with one
 * synchronous `write` per file: `responses.jsonl` gets exactly `record.toJSON()` (LLMeter's 14 keys, so its
 * loader reads our files) and `responses_ext.jsonl` our extension fields (`toExtensionJSON()`, same order,
 * keyed by id). A process killed at any moment leaves complete lines, at worst one truncated last line, which
 * `Result.load` skips.
 *
 * `onRunStart(run)` writes `run_config.json` from `run.config` (or the run info itself) and `payload.jsonl` from
 * `run.payloads` when given; `onRunEnd(run)` writes `summary.json` from `run.summary` and `stats.json` from `run.stats`.
 */
export class RunFolderWriter implements RecordSink {
  readonly name = 'run-folder';
  /** The run folder. */
  readonly path: string;
  private responsesFd: number | null = null;
  private extFd: number | null = null;
  private payloadFd: number | null = null;

  constructor(options: RunFolderWriterOptions) {
    if (typeof options?.path !== 'string' || options.path.length === 0) {
      throw new LLMeterValidationError(`path must be a non-empty string, got ${JSON.stringify(options?.path)}`);
    }
    this.path = options.path;
  }

  /** Opens the response files: `w` (a new run replaces a folder's earlier records) or `a` (append). */
  private open(flags: 'a' | 'w' = 'a'): void {
    if (this.responsesFd !== null) return;
    mkdirSync(this.path, { recursive: true });
    this.responsesFd = openSync(join(this.path, RUN_FILES.responses), flags);
    this.extFd = openSync(join(this.path, RUN_FILES.responsesExt), flags);
  }

  /** Writes `run_config.json` (pretty JSON, bytes encoded as LLMeter does). */
  async writeConfig(config: Record<string, unknown>): Promise<void> {
    mkdirSync(this.path, { recursive: true });
    await writeFileAtomic(join(this.path, RUN_FILES.config), `${stringifyJSON(config, 2)}\n`);
  }

  /** Appends payloads to `payload.jsonl`, one a line. */
  appendPayloads(payloads: Iterable<unknown>): void {
    if (this.payloadFd === null) {
      mkdirSync(this.path, { recursive: true });
      this.payloadFd = openSync(join(this.path, RUN_FILES.payloads), 'a');
    }
    let text = '';
    for (const p of payloads) text += `${stringifyJSON(p)}\n`;
    if (text) writeSync(this.payloadFd, text);
  }

  /** Starts a run: the folder's response and payload files are replaced (a rerun never mixes with an earlier one). */
  onRunStart(run: RunStartInfo): Promise<void> {
    const config = (run['config'] as Record<string, unknown> | undefined) ?? run;
    const payloads = run['payloads'] as unknown[] | undefined;
    this.close();
    mkdirSync(this.path, { recursive: true });
    this.payloadFd = openSync(join(this.path, RUN_FILES.payloads), 'w');
    if (payloads) this.appendPayloads(payloads);
    this.open('w');
    rmSync(join(this.path, RUN_FILES.summary), { force: true });
    rmSync(join(this.path, RUN_FILES.stats), { force: true });
    return this.writeConfig(config);
  }

  /** Appends one record to `responses.jsonl` and `responses_ext.jsonl`. */
  onRecord(record: InvocationResponse): void {
    this.open();
    // The sidecar line first: a kill between the two writes leaves an orphan sidecar line (ignored on load),
    // never a record without its extension fields.
    writeSync(this.extFd as number, `${JSON.stringify(record.toExtensionJSON())}\n`);
    writeSync(this.responsesFd as number, `${JSON.stringify(record.toJSON())}\n`);
  }

  async onRunEnd(run: RunEndInfo): Promise<void> {
    this.close();
    // stats.json first: summary.json is what marks a run as finished (LLMeter treats a folder without it as
    // interrupted), so a kill between the two leaves an interrupted run, never a finished one missing its stats.
    if (run.stats) await writeFileAtomic(join(this.path, RUN_FILES.stats), `${stringifyJSON(run.stats, 2)}\n`);
    if (run['summary'])
      await writeFileAtomic(join(this.path, RUN_FILES.summary), `${stringifyJSON(run['summary'], 2)}\n`);
  }

  /** Closes the open files (idempotent). */
  close(): void {
    for (const fd of [this.responsesFd, this.extFd, this.payloadFd]) if (fd !== null) closeSync(fd);
    this.responsesFd = this.extFd = this.payloadFd = null;
  }
}

/**
 * Parses a JSON-lines text. A line that does not parse is an error naming `file:line`, except the last line of
 * a file that does not end in a newline (a write cut short), which is skipped and counted in `truncated`.
 */
export function parseJSONLines(text: string, file: string): { values: unknown[]; truncated: number } {
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n') || text.length === 0;
  const values: unknown[] = [];
  let truncated = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line));
    } catch (cause) {
      if (i === lines.length - 1 && !endsClean) {
        truncated++;
        continue;
      }
      throw new LLMeterValidationError(`${file}:${i + 1}: invalid JSON line: ${(cause as Error).message}`, { cause });
    }
  }
  return { values, truncated };
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Streams the JSON values of a JSON-lines file, one line at a time (memory bounded by the longest line).
 * A line that does not parse is an error naming `file:line`, except an unterminated last line (a write cut
 * short by a kill), which is skipped and reported through `onTruncated`. A missing file yields nothing.
 */
export async function* streamJSONLines(file: string, onTruncated?: () => void): AsyncGenerator<unknown> {
  let stream: ReturnType<typeof createReadStream>;
  try {
    await access(file);
    stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  let rest = '';
  let lineNo = 0;
  const parse = (line: string, last: boolean): { ok: true; value: unknown } | { ok: false } => {
    try {
      return { ok: true, value: JSON.parse(line) };
    } catch (cause) {
      if (last) return { ok: false };
      throw new LLMeterValidationError(`${file}:${lineNo}: invalid JSON line: ${(cause as Error).message}`, { cause });
    }
  };
  for await (const chunk of stream) {
    const parts = (rest + (chunk as string)).split('\n');
    rest = parts.pop() as string;
    for (const line of parts) {
      lineNo++;
      if (line.trim() === '') continue;
      const r = parse(line, false);
      if (r.ok) yield r.value;
    }
  }
  if (rest.trim() !== '') {
    lineNo++;
    const r = parse(rest, true);
    if (r.ok) yield r.value;
    else onTruncated?.();
  }
}

/**
 * Streams the records of a run folder's `responses.jsonl`, joined with their `responses_ext.jsonl` fields
 * (written in the same order; a sidecar line whose id differs, or a missing sidecar, leaves the extension
 * fields null). Memory stays bounded whatever the number of records.
 */
export async function* streamRunRecords(path: string, onTruncated?: () => void): AsyncGenerator<InvocationResponse> {
  const responsesFile = join(path, RUN_FILES.responses);
  const ext = streamJSONLines(join(path, RUN_FILES.responsesExt), onTruncated)[Symbol.asyncIterator]();
  let extDone = false;
  let i = 0;
  for await (const line of streamJSONLines(responsesFile, onTruncated)) {
    i++;
    let extension: Record<string, unknown> | undefined;
    if (!extDone) {
      const next = await ext.next();
      if (next.done) extDone = true;
      else extension = next.value as Record<string, unknown>;
    }
    const obj = line as Record<string, unknown>;
    if (extension && extension['id'] !== obj['id']) extension = undefined;
    try {
      yield InvocationResponse.fromJSON(obj, extension);
    } catch (cause) {
      throw new LLMeterValidationError(`${responsesFile}:${i}: ${(cause as Error).message}`, { cause });
    }
  }
}

/** The small files of a run folder: `run_config.json` (required), `summary.json` and `stats.json` (null when absent). */
export async function readRunFolderFiles(path: string): Promise<{
  config: Record<string, unknown>;
  summary: Record<string, unknown> | null;
  stats: Record<string, unknown> | null;
}> {
  const configText = await readOptional(join(path, RUN_FILES.config));
  if (configText === null) throw new LLMeterValidationError(`${path}: not a run folder (no ${RUN_FILES.config})`);
  const summaryText = await readOptional(join(path, RUN_FILES.summary));
  const statsText = await readOptional(join(path, RUN_FILES.stats));
  const parse = (text: string, name: string): Record<string, unknown> => {
    const file = join(path, name);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      const at = jsonErrorOffset(text);
      const where = at === null ? file : `${file}:${lineColumnOf(text, at).line}:${lineColumnOf(text, at).column}`;
      throw new LLMeterValidationError(`${where}: invalid JSON: ${(cause as Error).message}`, { cause });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new LLMeterValidationError(`${file}: must hold a JSON object`);
    return value as Record<string, unknown>;
  };
  return {
    config: parse(configText, RUN_FILES.config),
    summary: summaryText === null ? null : parse(summaryText, RUN_FILES.summary),
    stats: statsText === null ? null : parse(statsText, RUN_FILES.stats),
  };
}

/** What `readRunFolder` finds in a run folder. */
export interface RunFolderContents {
  config: Record<string, unknown>;
  summary: Record<string, unknown> | null;
  stats: Record<string, unknown> | null;
  /** Records with their extension fields joined. */
  responses: InvocationResponse[];
  /** Truncated last lines skipped (0 for a cleanly closed run). */
  truncatedLines: number;
}

/** Reads a whole run folder written by `RunFolderWriter` or by LLMeter (no sidecar: no extension fields). */
export async function readRunFolder(path: string): Promise<RunFolderContents> {
  const files = await readRunFolderFiles(path);
  let truncatedLines = 0;
  const responses: InvocationResponse[] = [];
  for await (const r of streamRunRecords(path, () => truncatedLines++)) responses.push(r);
  return { ...files, responses, truncatedLines };
}
