import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvocationResponse } from '@llmeter/core';
import { describe, expect, it, vi } from 'vitest';
import { CloudWatchEmfSink } from './cloudwatch-emf-sink.js';

const endpoint = {
  model_id: 'amazon.nova-lite',
  provider: 'bedrock',
  endpoint_type: 'BedrockConverseStream',
  endpoint_name: 'x',
};

describe('CloudWatchEmfSink', () => {
  it('writes one EMF line per record with TTFT, TTLT and tokens per model', () => {
    const lines: string[] = [];
    const sink = new CloudWatchEmfSink({ write: (l) => lines.push(l), namespace: 'Probe' });
    sink.onRunStart({ startTime: new Date(), endpoint });
    const requestTime = new Date('2026-01-01T00:00:00Z');
    sink.onRecord(
      new InvocationResponse({
        requestTime,
        timeToFirstToken: 0.3,
        timeToLastToken: 1.2,
        numTokensInput: 10,
        numTokensOutput: 4,
        inputPrompt: 'secret',
      }),
    );
    sink.onRecord(new InvocationResponse({ error: 'throttled', errorType: 'throttled' }));
    expect(lines).toHaveLength(2);
    const ok = JSON.parse(lines[0]!);
    expect(ok._aws.Timestamp).toBe(requestTime.getTime());
    expect(ok._aws.CloudWatchMetrics[0].Namespace).toBe('Probe');
    expect(ok._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Model']]);
    const names = ok._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name);
    expect(names).toEqual([
      'TimeToFirstToken',
      'TimeToLastToken',
      'TimePerOutputToken',
      'InputTokens',
      'OutputTokens',
      'Requests',
      'Errors',
    ]);
    for (const name of names) expect(typeof ok[name]).toBe('number');
    expect(ok.TimePerOutputToken).toBeCloseTo(0.3);
    expect(ok.Model).toBe('amazon.nova-lite');
    expect(ok.Errors).toBe(0);
    expect(lines[0]).not.toContain('secret');
    const failed = JSON.parse(lines[1]!);
    expect(failed.Errors).toBe(1);
    expect(failed.ErrorType).toBe('throttled');
    expect(failed.TimeToLastToken).toBeUndefined();
  });

  it('a file that cannot be written is reported once and never throws into the caller', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const dir = await mkdtemp(join(tmpdir(), 'emf-'));
    try {
      const file = join(dir, 'no-such-dir', 'emf.log');
      const sink = new CloudWatchEmfSink({ file, endpoint });
      expect(() => sink.onRecord(new InvocationResponse({ timeToLastToken: 1 }))).not.toThrow();
      // the open fails asynchronously: wait (bounded) for the report, then write more
      for (let i = 0; i < 100 && warn.mock.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(() => sink.onRecord(new InvocationResponse({ timeToLastToken: 2 }))).not.toThrow();
      await sink.close();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain(file);
    } finally {
      warn.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('appends to a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emf-'));
    try {
      const file = join(dir, 'emf.log');
      const sink = new CloudWatchEmfSink({ file, endpoint });
      sink.onRecord(new InvocationResponse({ timeToLastToken: 1 }));
      sink.onRecord(new InvocationResponse({ timeToLastToken: 2 }));
      await sink.close();
      const lines = (await readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.TimeToLastToken)).toEqual([1, 2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
