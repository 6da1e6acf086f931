// The real `llmeter-bedrock-emulator` (the file package.json's `bin` names, built by the globalSetup), spawned as a
// user runs it: it prints its URL, serves the real SDK client with the profile and fault files given, and stops
// cleanly on SIGTERM; bad arguments exit 2 naming the culprit.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConverseCommand, ConverseStreamCommand, ThrottlingException } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { emulatorBinPath } from './test-support/emulator-binary.js';
import { collect, sdkClient, streamedText, userMessage } from './test-support/sdk.js';

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const dir = mkdtempSync(join(tmpdir(), 'llmeter-emulator-bin-run-'));
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[]) {
  const child = spawn(process.execPath, [emulatorBinPath(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  // Never left running: killed after 30 s whatever happens.
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const finished = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, ...out });
    });
  });
  return { child, out, finished };
}

/** The URL the bin prints on its first line, within a bounded wait. */
async function urlOf(run: ReturnType<typeof start>): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const line = run.out.stdout.split('\n')[0];
    if (run.out.stdout.includes('\n') && line) return line.trim();
    if (run.child.exitCode !== null) throw new Error(`the bin exited early: ${run.out.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the bin printed no URL: ${run.out.stdout} ${run.out.stderr}`);
}

describe('llmeter-bedrock-emulator (the built bin)', () => {
  it('is the built file with a node shebang', () => {
    expect(readFileSync(emulatorBinPath(), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('prints its URL, serves the SDK with the profile and faults given, and stops on SIGTERM', async () => {
    const profile = join(dir, 'profile.json');
    writeFileSync(profile, JSON.stringify({ ttftMs: 5, interTokenDelayMs: 1, outputTokens: 7 }));
    const faults = join(dir, 'faults.json');
    writeFileSync(faults, JSON.stringify([{ modelId: 'throttled', fault: { kind: 'http', status: 429 } }]));
    const run = start(['--port', '0', '--seed', '4', '--profile', profile, '--faults', faults]);
    const url = await urlOf(run);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const client = sdkClient({ url } as Parameters<typeof sdkClient>[0]);
    try {
      const conv = await client.send(new ConverseCommand({ modelId: 'm', messages: userMessage('hello') }));
      expect(conv.usage?.outputTokens).toBe(7);
      const out = await client.send(new ConverseStreamCommand({ modelId: 'm', messages: userMessage('hello') }));
      const { events, error } = await collect(out.stream);
      expect(error).toBeUndefined();
      expect(streamedText(events).split(' ')).toHaveLength(7);
      await expect(
        client.send(new ConverseCommand({ modelId: 'throttled', messages: userMessage('hello') })),
      ).rejects.toBeInstanceOf(ThrottlingException);
    } finally {
      client.destroy();
    }

    run.child.kill('SIGTERM');
    const done = await run.finished;
    expect(done.code).toBe(0);
    // The port is closed: nothing answers any more.
    await expect(fetch(`${url}/model/m/converse`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('prints its usage for --help and exits 0', async () => {
    const done = await start(['--help']).finished;
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^Usage: llmeter-bedrock-emulator/);
  });

  it.each([
    [['--port', 'x'], /--port must be a non-negative integer, got x/],
    [['--profile', '/nonexistent/profile.json'], /cannot read the profile from \/nonexistent\/profile\.json/],
    [['--nope'], /Unknown option '--nope'/],
  ])('exits 2 naming the bad argument: %j', async (args, message) => {
    const done = await start(args).finished;
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(message);
    expect(done.stderr).toMatch(/Usage: llmeter-bedrock-emulator/);
  });

  it('exits 2 for a profile that cannot work, naming the field', async () => {
    const profile = join(dir, 'bad-profile.json');
    writeFileSync(profile, JSON.stringify({ tokensPerDelta: 0 }));
    const done = await start(['--profile', profile]).finished;
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(`${profile}: profile.tokensPerDelta must be a positive integer, got 0`);
  });
});
