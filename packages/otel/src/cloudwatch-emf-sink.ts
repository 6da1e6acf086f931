import { createWriteStream, type WriteStream } from 'node:fs';
import type { InvocationResponse, RecordSink, RunStartInfo } from '@llmeter/core';
import { describeEndpoint, type EndpointDescriptor, type EndpointLike } from './endpoint-descriptor.js';

/** The property names an EMF line may use as dimensions. */
export type EmfDimension = 'Model' | 'Provider' | 'Operation';

/** Options for `CloudWatchEmfSink`. */
export interface CloudWatchEmfSinkOptions {
  /** The CloudWatch namespace. Default `LLMeter`. */
  namespace?: string;
  /** Dimension sets (each a list of property names). Default `[['Model']]`. */
  dimensions?: EmfDimension[][];
  /** The endpoint the records come from. Default: the `endpoint` of the latest `onRunStart`. */
  endpoint?: EndpointLike;
  /** A file to append the lines to (created when missing). Default: standard output. */
  file?: string;
  /** Receives each line (without its newline) instead of stdout or `file`, e.g. a logger. */
  write?: (line: string) => void;
}

interface EmfMetric {
  Name: string;
  Unit: 'Seconds' | 'Count';
}

/**
 * A `RecordSink` writing one CloudWatch Embedded Metric Format line per record: JSON that the CloudWatch agent,
 * Lambda or ECS log drivers turn into metrics without an OpenTelemetry collector. Metrics (when measured):
 * `TimeToFirstToken`, `TimeToLastToken`, `TimePerOutputToken` (Seconds), `InputTokens`, `OutputTokens`,
 * `Requests` (always 1) and `Errors` (0 or 1) (Count); properties `Model`, `Provider`, `Operation`
 * (`ConverseStream`-like endpoint type or `chat`) and, on failures, `ErrorType`. No OpenTelemetry needed.
 */
export class CloudWatchEmfSink implements RecordSink {
  readonly name = 'cloudwatch-emf';
  private readonly namespace: string;
  private readonly dimensions: EmfDimension[][];
  private readonly pinned: EndpointDescriptor | undefined;
  private current: EndpointDescriptor | undefined;
  private readonly write: (line: string) => void;
  private stream: WriteStream | undefined;

  constructor(options: CloudWatchEmfSinkOptions = {}) {
    this.namespace = options.namespace ?? 'LLMeter';
    this.dimensions = options.dimensions ?? [['Model']];
    this.pinned = options.endpoint ? describeEndpoint(options.endpoint) : undefined;
    const file = options.file;
    if (options.write) this.write = options.write;
    else if (file) {
      let broken = false;
      this.write = (line) => {
        if (broken) return;
        if (!this.stream) {
          this.stream = createWriteStream(file, { flags: 'a' });
          // A file that cannot be written is reported once; it must never crash the host.
          this.stream.on('error', (error) => {
            if (!broken) console.warn(`@llmeter/otel: cannot write EMF lines to ${file}:`, error);
            broken = true;
          });
        }
        this.stream.write(`${line}\n`);
      };
    } else this.write = (line) => process.stdout.write(`${line}\n`);
  }

  onRunStart(run: RunStartInfo): void {
    if (run.endpoint) this.current = describeEndpoint(run.endpoint);
  }

  onRecord(record: InvocationResponse): void {
    this.write(JSON.stringify(this.toEmf(record)));
  }

  /** The EMF object for one record (what `onRecord` writes as one line). */
  toEmf(record: InvocationResponse): Record<string, unknown> {
    const endpoint = this.pinned ?? this.current;
    const failed = record.error !== null || record.errorType !== null;
    const values: Record<string, number> = {};
    const metrics: EmfMetric[] = [];
    const put = (name: string, unit: EmfMetric['Unit'], value: number | null | undefined) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) return;
      values[name] = value;
      metrics.push({ Name: name, Unit: unit });
    };
    put('TimeToFirstToken', 'Seconds', record.timeToFirstToken);
    put('TimeToLastToken', 'Seconds', record.timeToLastToken);
    put('TimePerOutputToken', 'Seconds', record.effectiveTimePerOutputToken);
    put('InputTokens', 'Count', record.numTokensInput);
    put('OutputTokens', 'Count', record.numTokensOutput);
    put('Requests', 'Count', 1);
    put('Errors', 'Count', failed ? 1 : 0);
    const properties: Record<string, string> = {
      Model: endpoint?.modelId ?? 'unknown',
      Provider: endpoint?.provider ?? 'unknown',
      Operation: endpoint?.endpointType ?? endpoint?.operationName ?? 'chat',
    };
    if (failed) properties['ErrorType'] = record.errorType ?? 'unknown';
    return {
      _aws: {
        Timestamp: record.requestTime?.getTime() ?? Date.now(),
        CloudWatchMetrics: [{ Namespace: this.namespace, Dimensions: this.dimensions, Metrics: metrics }],
      },
      ...properties,
      ...values,
    };
  }

  /** Flushes and closes the file, when writing to one. */
  close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => stream.end(() => resolve()));
  }
}
