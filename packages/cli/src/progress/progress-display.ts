import type { ProgressEvent } from '@llmeter/runner';
import cliProgress from 'cli-progress';
import { formatSeconds } from '../stats/format-value.js';

/** `bar`: a live progress bar (terminals); `lines`: a plain line every few seconds (logs, pipes); `none`. */
export type ProgressMode = 'bar' | 'lines' | 'none';

/** Options of `ProgressDisplay`. */
export interface ProgressDisplayOptions {
  /** Where progress goes. Default `process.stderr` (stdout stays for results). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Default: `bar` when the stream is a terminal, else `lines`. */
  mode?: ProgressMode;
  /** Seconds between plain lines. Default 2. */
  intervalSeconds?: number;
  /** Run length in seconds when the run is bounded by time (the bar then fills with elapsed time). */
  durationSeconds?: number;
  /** A prefix naming what runs (e.g. a sweep level). */
  label?: string;
}

function ms(v: number | null): string {
  return v === null ? '–' : formatSeconds(v);
}

function elapsedText(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
}

/** One progress event as a plain line. */
export function progressLine(event: ProgressEvent, label?: string): string {
  const phase = event.phase === 'warmup' ? 'warm-up' : event.phase;
  const of = event.total !== null ? `/${event.total}` : '';
  return (
    `${label ? `${label} ` : ''}[${phase}] ${elapsedText(event.elapsed)}: ${event.done}${of} done, ` +
    `${event.errors} errors, ${event.inFlight} in flight, TTFT p50 ${ms(event.ttftP50)} p90 ${ms(event.ttftP90)}`
  );
}

/**
 * Shows the runner's progress events: done/total, errors, elapsed and live TTFT percentiles, as a
 * `cli-progress` bar on a terminal or as plain periodic lines otherwise. Feed it `update(event)` from the
 * runner's `onProgress`; call `stop()` when the run ends.
 */
export class ProgressDisplay {
  readonly mode: ProgressMode;
  private readonly stream: NodeJS.WritableStream;
  private readonly intervalMs: number;
  private readonly durationSeconds: number | undefined;
  private label: string | undefined;
  private bar: cliProgress.SingleBar | null = null;
  private barPhase: ProgressEvent['phase'] | null = null;
  private lastLineAt = Number.NEGATIVE_INFINITY;
  private last: ProgressEvent | null = null;
  private lastPrinted: ProgressEvent | null = null;

  constructor(options: ProgressDisplayOptions = {}) {
    const stream = options.stream ?? process.stderr;
    this.stream = stream;
    this.mode = options.mode ?? (stream.isTTY ? 'bar' : 'lines');
    this.intervalMs = (options.intervalSeconds ?? 2) * 1000;
    this.durationSeconds = options.durationSeconds;
    this.label = options.label;
  }

  /** Changes the prefix naming what runs (e.g. the next sweep level). */
  setLabel(label: string | undefined): void {
    this.label = label;
  }

  /** Shows one progress event (the bar redraws at most 10 times a second; lines every `intervalSeconds`). */
  update(event: ProgressEvent): void {
    this.last = event;
    if (this.mode === 'none') return;
    if (this.mode === 'lines') {
      const now = performance.now();
      if (event.phase === 'done' || now - this.lastLineAt >= this.intervalMs) {
        this.lastLineAt = now;
        this.lastPrinted = event;
        this.stream.write(`${progressLine(event, this.label)}\n`);
      }
      return;
    }
    this.updateBar(event);
  }

  private updateBar(event: ProgressEvent): void {
    const byTime = event.total === null && this.durationSeconds !== undefined && event.phase !== 'warmup';
    const total = event.total ?? (byTime ? (this.durationSeconds as number) : Math.max(event.sent, 1));
    const value = byTime ? Math.min(event.elapsed, total) : event.done;
    const payload = {
      label: `${this.label ? `${this.label} ` : ''}${event.phase === 'warmup' ? 'warm-up' : 'run'}`,
      done: event.done,
      totalText: event.total === null ? (byTime ? ` (of ${total} s)` : '') : `/${event.total}`,
      errors: event.errors,
      inFlight: event.inFlight,
      elapsed: elapsedText(event.elapsed),
      p50: ms(event.ttftP50),
      p90: ms(event.ttftP90),
    };
    const phase = event.phase === 'done' ? this.barPhase : event.phase;
    if (!this.bar || phase !== this.barPhase) {
      this.bar?.stop();
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format:
            '{label} {bar} {done}{totalText} | errors {errors} | in flight {inFlight} | {elapsed} | TTFT p50 {p50} p90 {p90}',
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, value, payload);
      this.barPhase = phase;
    } else {
      this.bar.setTotal(total);
      this.bar.update(value, payload);
    }
    if (event.phase === 'done') this.stop();
  }

  /** Ends the display (the bar stays on screen with its last values; a last line is printed if not yet). */
  stop(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
      this.barPhase = null;
    }
    if (this.mode === 'lines' && this.last && this.last !== this.lastPrinted) {
      this.lastPrinted = this.last;
      this.stream.write(`${progressLine(this.last, this.label)}\n`);
    }
  }
}
