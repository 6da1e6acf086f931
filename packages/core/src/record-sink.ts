import type { EndpointJSON } from './endpoint.js';
import type { InvocationResponse } from './invocation-response.js';

/** What a sink learns when a run (or a monitoring session) starts. */
export interface RunStartInfo {
  runName?: string;
  endpoint?: EndpointJSON;
  startTime: Date;
  /** Any run parameters (clients, rate, …). */
  [key: string]: unknown;
}

/** What a sink learns when a run ends. */
export interface RunEndInfo {
  runName?: string;
  endTime: Date;
  interrupted?: boolean;
  /** The run's statistics, when the producer computed them. */
  stats?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The one seam for every consumer of records: run-folder writers, statistics, OpenTelemetry, CloudWatch EMF,
 * progress bars. Fed the same way by runners and by instrumented endpoints. Methods may be async.
 */
export interface RecordSink {
  /** A short name used when reporting the sink's failure. */
  readonly name?: string;
  onRunStart?(run: RunStartInfo): void | Promise<void>;
  /** Called once per finished record (after `invoke` resolved; the record is never mutated afterwards). */
  onRecord(record: InvocationResponse): void | Promise<void>;
  onRunEnd?(run: RunEndInfo): void | Promise<void>;
}

/** Options for `SinkFanout`. */
export interface SinkFanoutOptions {
  /** Called once when a sink fails, before it is detached. Default: `console.warn`. */
  onSinkError?: (sink: RecordSink, error: unknown) => void;
}

/**
 * Feeds several sinks. A sink that throws (or rejects) is reported once and detached; the others go on and
 * no record is lost for them. Never throws.
 */
export class SinkFanout implements RecordSink {
  readonly name = 'fanout';
  private readonly sinks: RecordSink[];
  private readonly onSinkError: (sink: RecordSink, error: unknown) => void;

  constructor(sinks: Iterable<RecordSink>, options: SinkFanoutOptions = {}) {
    this.sinks = [...sinks];
    this.onSinkError =
      options.onSinkError ??
      ((sink, error) => console.warn(`llmeter: sink ${sink.name ?? 'unnamed'} failed and was detached:`, error));
  }

  /** The sinks still attached. */
  get active(): readonly RecordSink[] {
    return this.sinks;
  }

  private fail(sink: RecordSink, error: unknown): void {
    const i = this.sinks.indexOf(sink);
    if (i < 0) return;
    this.sinks.splice(i, 1);
    try {
      this.onSinkError(sink, error);
    } catch {
      // reporting must not break measuring either
    }
  }

  private async each(call: (sink: RecordSink) => void | Promise<void> | undefined): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const sink of [...this.sinks]) {
      try {
        const r = call(sink);
        if (r && typeof (r as Promise<void>).then === 'function') {
          pending.push((r as Promise<void>).catch((error) => this.fail(sink, error)));
        }
      } catch (error) {
        this.fail(sink, error);
      }
    }
    if (pending.length) await Promise.all(pending);
  }

  onRunStart(run: RunStartInfo): Promise<void> {
    return this.each((s) => s.onRunStart?.(run));
  }

  onRecord(record: InvocationResponse): Promise<void> {
    return this.each((s) => s.onRecord(record));
  }

  onRunEnd(run: RunEndInfo): Promise<void> {
    return this.each((s) => s.onRunEnd?.(run));
  }
}
