import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Recording } from './types.js';

const RECORDING_FILE = /^(.+)\.(json|chunks\.txt)$/;

/** Parses a `*.chunks.txt` recording: one JSON stream event per non-empty line, in order. */
export function parseChunkLines(text: string, file = 'chunks'): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
    if (!event || typeof event !== 'object' || Object.keys(event).length !== 1) {
      throw new Error(`${file}:${i + 1}: a stream event must be an object with one key (its event type)`);
    }
    events.push(event as Record<string, unknown>);
  });
  return events;
}

/**
 * Reads every recording in a folder: `NAME.json` (a Converse body) and `NAME.chunks.txt` (ConverseStream events, one
 * JSON line each) become `recordings[NAME]`, so a request for model id `NAME` replays them.
 */
export function loadRecordings(dir: string): Record<string, Recording> {
  const recordings: Record<string, Recording> = {};
  for (const file of readdirSync(dir).sort()) {
    const m = RECORDING_FILE.exec(file);
    if (!m) continue;
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const recording = recordings[m[1]!] ?? {};
    recordings[m[1]!] = recording;
    if (m[2] === 'json') {
      try {
        recording.converse = JSON.parse(text) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`${path}: not JSON: ${(err as Error).message}`);
      }
    } else {
      recording.stream = parseChunkLines(text, path);
    }
  }
  return recordings;
}
