import { PassThrough } from 'node:stream';
import type { ProgressEvent } from '@llmeter/runner';
import { describe, expect, it } from 'vitest';
import { ProgressDisplay, progressLine } from './progress-display.js';

function sink(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 160 });
  let text = '';
  stream.on('data', (d) => (text += d));
  return { stream, text: () => text };
}

const event = (e: Partial<ProgressEvent>): ProgressEvent => ({
  phase: 'run',
  elapsed: 1,
  sent: 0,
  done: 0,
  errors: 0,
  inFlight: 0,
  ttftP50: null,
  ttftP90: null,
  total: 10,
  ...e,
});

describe('ProgressDisplay', () => {
  it('formats a plain line with done/total, errors, elapsed and TTFT percentiles', () => {
    expect(progressLine(event({ done: 4, errors: 1, inFlight: 2, elapsed: 3.25, ttftP50: 0.2105, ttftP90: 0.3 }))).toBe(
      '[run] 3.3 s: 4/10 done, 1 errors, 2 in flight, TTFT p50 210.5 ms p90 300.0 ms',
    );
    expect(progressLine(event({ phase: 'warmup', total: null, elapsed: 75 }), 'L')).toBe(
      'L [warm-up] 1m15s: 0 done, 0 errors, 0 in flight, TTFT p50 – p90 –',
    );
  });

  it('prints plain lines when the stream is not a terminal, at most one per interval, and always the last', () => {
    const out = sink(false);
    const display = new ProgressDisplay({ stream: out.stream, intervalSeconds: 60 });
    expect(display.mode).toBe('lines');
    display.update(event({ done: 1 }));
    display.update(event({ done: 2 }));
    display.update(event({ done: 3 }));
    display.stop();
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('1/10 done');
    expect(lines[1]).toContain('3/10 done');
  });

  it('prints the done event even within the interval', () => {
    const out = sink(false);
    const display = new ProgressDisplay({ stream: out.stream, intervalSeconds: 60 });
    display.update(event({ done: 1 }));
    display.update(event({ phase: 'done', done: 10 }));
    display.stop();
    expect(out.text().trim().split('\n')).toEqual([expect.stringContaining('1/10'), expect.stringContaining('[done]')]);
  });

  it('draws a bar on a terminal, by requests or by elapsed time for duration-bound runs', () => {
    const out = sink(true);
    const display = new ProgressDisplay({ stream: out.stream });
    expect(display.mode).toBe('bar');
    display.update(event({ done: 5, errors: 1, ttftP50: 0.1, ttftP90: 0.2 }));
    display.update(event({ phase: 'done', done: 10, errors: 1 }));
    expect(out.text()).toMatch(/run .*5\/10 \| errors 1 \| in flight 0 \| 1\.0 s \| TTFT p50 100\.0 ms p90 200\.0 ms/);
    const timed = sink(true);
    const byTime = new ProgressDisplay({ stream: timed.stream, durationSeconds: 30 });
    byTime.update(event({ total: null, done: 7, elapsed: 15 }));
    byTime.stop();
    expect(timed.text()).toMatch(/run .*7 \(of 30 s\) \| errors 0/);
  });

  it('prints nothing in none mode', () => {
    const out = sink(true);
    const display = new ProgressDisplay({ stream: out.stream, mode: 'none' });
    display.update(event({ done: 1 }));
    display.stop();
    expect(out.text()).toBe('');
  });
});
