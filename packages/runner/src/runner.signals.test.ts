import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Result } from './result.js';
import { computeStats } from './stats/stats-accumulator.js';

// Each test runs a real run in a child process (TypeScript through tsx) and signals it.

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmeter-runner-sig-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the child, resolves with it once it printed `ready` (20 records written; `stall`: 20 requests sent). */
function startChild(runName: string, mode?: 'stall') {
  const args = [join(here, 'test-support', 'child-run.ts'), dir, runName, ...(mode ? [mode] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready\n')) resolve();
    });
    child.on('exit', () => reject(new Error(`child exited before ready: ${err}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  exited.finally(() => clearTimeout(timer));
  return { child, ready, exited, output: () => out };
}

function completeLines(file: string): number {
  return readFileSync(file, 'utf8').split('\n').slice(0, -1).length;
}

describe('signals', () => {
  it('SIGINT stops sending, waits for requests in flight, saves everything with interrupted: true', async () => {
    const c = startChild('int');
    await c.ready;
    c.child.kill('SIGINT');
    expect(await c.exited).toBe(0);
    const line = c
      .output()
      .split('\n')
      .find((l) => l.startsWith('result ')) as string;
    const live = JSON.parse(line.slice('result '.length));
    expect(live.interrupted).toBe(true);
    expect(live.total).toBeGreaterThanOrEqual(20);
    expect(live.total).toBeLessThan(100_000);
    const folder = join(dir, 'int');
    expect(completeLines(join(folder, 'responses.jsonl'))).toBe(live.total);
    const loaded = await Result.load(folder);
    expect(loaded.interrupted).toBe(true);
    expect(loaded.totalRequests).toBe(live.total);
    expect(loaded.stats).toEqual(live.stats);
    // waited for requests in flight: none was aborted
    expect(loaded.stats['failed_requests']).toBe(0);
  }, 30_000);

  it('SIGTERM does the same: the process exits 0 after saving, interrupted: true, every record on disk', async () => {
    const c = startChild('term');
    await c.ready;
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    const line = c
      .output()
      .split('\n')
      .find((l) => l.startsWith('result ')) as string;
    const live = JSON.parse(line.slice('result '.length));
    expect(live.interrupted).toBe(true);
    const folder = join(dir, 'term');
    expect(completeLines(join(folder, 'responses.jsonl'))).toBe(live.total);
    const loaded = await Result.load(folder);
    expect(loaded.interrupted).toBe(true);
    expect(loaded.stats).toEqual(live.stats);
  }, 30_000);

  it('a second SIGINT aborts the requests in flight, each recorded as aborted, and the run is saved', async () => {
    // the requests never answer: without the second signal the run would wait the 60 s default drain
    const c = startChild('twice', 'stall');
    await c.ready;
    c.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 100));
    c.child.kill('SIGINT');
    expect(await c.exited).toBe(0);
    const line = c
      .output()
      .split('\n')
      .find((l) => l.startsWith('result ')) as string;
    const live = JSON.parse(line.slice('result '.length));
    expect(live.interrupted).toBe(true);
    expect(live.total).toBeGreaterThanOrEqual(20);
    expect(live.stats['failed_requests-aborted']).toBe(live.total);
    expect(completeLines(join(dir, 'twice', 'responses.jsonl'))).toBe(live.total);
  }, 30_000);

  it('a SIGKILLed run leaves parseable lines that Result.load recovers', async () => {
    const c = startChild('kill');
    await c.ready;
    await new Promise((r) => setTimeout(r, 100));
    c.child.kill('SIGKILL');
    await c.exited;
    const folder = join(dir, 'kill');
    const loaded = await Result.load(folder);
    expect(loaded.interrupted).toBe(true);
    expect(loaded.totalRequests).toBeGreaterThanOrEqual(20);
    expect(loaded.totalRequests).toBe(completeLines(join(folder, 'responses.jsonl')));
    expect(loaded.stats).toEqual({ ...computeStats(loaded.responses), interrupted: true });
    expect(loaded.responses.every((r) => r.scheduleLag !== null)).toBe(true);
  }, 30_000);
});
