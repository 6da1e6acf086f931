import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BedrockConverse,
  BedrockConverseStream,
  createBedrockRuntimeClient,
  createConversePayload,
} from '@llmeter/bedrock';
import {
  type BedrockEmulator,
  type EmulatorOptions,
  FaultSpecError,
  startBedrockEmulator,
} from '@llmeter/bedrock-emulator';
import type { Endpoint, Payload } from '@llmeter/core';
import {
  GenAIMetrics,
  instrumentEndpoint,
  type PrometheusExporterHandle,
  startPrometheusExporter,
} from '@llmeter/otel';
import { type MonitorConfig, MonitorConfigError, type ProbeOperation } from './monitor-config.js';
import { ProbeStats, type SeriesStats } from './probe-stats.js';

/** Static fake credentials for the embedded emulator (it checks no signature). */
const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' };

/** Options for `startMonitor`. */
export interface StartMonitorOptions {
  /** Receives log lines. Default: `console.log` with an `llmeter-monitor:` prefix. */
  log?: (line: string) => void;
  /** Milliseconds `close()` waits for in-flight probes before aborting them. Default 5000. */
  shutdownGraceMs?: number;
}

/** What `/stats` serves: the monitor's own exact statistics. */
export interface MonitorStats {
  target: MonitorConfig['target'];
  intervalMs: number;
  /** Probe rounds completed. */
  rounds: number;
  startedAt: string;
  series: SeriesStats[];
}

/** A running monitor. */
export interface Monitor {
  readonly config: MonitorConfig;
  /** The Prometheus scrape URL, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly metricsUrl: string;
  /** The bound port of the metrics server. */
  readonly port: number;
  /** The embedded emulator's URL (target `emulator`), else null. */
  readonly emulatorUrl: string | null;
  /** Probe rounds completed so far. */
  readonly rounds: number;
  /** The exact statistics (what `/stats` serves). */
  stats(): MonitorStats;
  /** Stops sending probes (waits for the round in flight); `/metrics` and `/stats` stay up. */
  stopProbing(): Promise<void>;
  /** Stops probing, then closes the metrics server, the client and the emulator. Idempotent. */
  close(): Promise<void>;
}

interface ProbeTarget {
  modelId: string;
  operation: ProbeOperation;
  endpoint: Endpoint;
}

function sendJSON(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Starts the prober: every `intervalMs` it sends each probe to each configured model and operation, records
 * every request through `@llmeter/otel`, and serves `/metrics` (Prometheus), `/stats` (exact percentiles as
 * JSON) and `/healthz`. With target `emulator` it starts a Bedrock emulator in-process first.
 */
export async function startMonitor(config: MonitorConfig, options: StartMonitorOptions = {}): Promise<Monitor> {
  const log = options.log ?? ((line: string) => console.log(`llmeter-monitor: ${line}`));
  const grace = options.shutdownGraceMs ?? 5000;
  const stats = new ProbeStats(config.statsWindow);
  const startedAt = new Date();
  let rounds = 0;

  const snapshot = (): MonitorStats => ({
    target: config.target,
    intervalMs: config.intervalMs,
    rounds,
    startedAt: startedAt.toISOString(),
    series: stats.snapshot(),
  });

  let emulator: BedrockEmulator | undefined;
  let prom: PrometheusExporterHandle | undefined;
  try {
    if (config.target === 'emulator') {
      emulator = await startBedrockEmulator({
        seed: config.emulator.seed ?? 1,
        ...(config.emulator.profile && { profile: config.emulator.profile as EmulatorOptions['profile'] }),
        ...(config.emulator.faults && { faults: config.emulator.faults as unknown as EmulatorOptions['faults'] }),
      }).catch((error: unknown) => {
        // The emulator validates its profile (RangeError) and fault rules (FaultSpecError): a configuration error,
        // named by its config field (`emulator.profile.ttftMs…`, `emulator.faults[0]…`).
        if (error instanceof RangeError || error instanceof FaultSpecError) {
          throw new MonitorConfigError(`emulator.${error.message}`, { cause: error });
        }
        throw error;
      });
    }
    prom = await startPrometheusExporter({
      host: config.host,
      port: config.port,
      routes: {
        '/stats': (_req, res) => sendJSON(res, snapshot()),
        '/healthz': (_req, res) => sendJSON(res, { ok: true, rounds }),
      },
    });
  } catch (error) {
    await emulator?.close();
    throw error;
  }

  const endpointUrl = emulator?.url ?? config.endpointUrl ?? undefined;
  const client = createBedrockRuntimeClient({
    region: config.region,
    maxAttempts: config.maxAttempts,
    ...(endpointUrl !== undefined && { endpoint: endpointUrl }),
    ...(emulator && { credentials: EMULATOR_CREDENTIALS }),
  });
  const metrics = new GenAIMetrics({ meterProvider: prom.meterProvider, fineBuckets: config.fineBuckets });
  const targets: ProbeTarget[] = config.models.flatMap((m) =>
    m.operations.map((operation) => {
      const endpoint =
        operation === 'converse'
          ? new BedrockConverse({ modelId: m.modelId, client })
          : new BedrockConverseStream({ modelId: m.modelId, client });
      return { modelId: m.modelId, operation, endpoint: instrumentEndpoint(endpoint, { metrics }) as Endpoint };
    }),
  );
  const payloads: Payload[] = config.probes.map(
    (p) => p.payload ?? createConversePayload(p.prompt as string, { maxTokens: p.maxTokens ?? 64 }),
  );

  const inflight = new AbortController();
  const wake = new AbortController();
  let stopping = false;

  const probeSeries = async (t: ProbeTarget) => {
    for (const payload of payloads) {
      if (stopping && inflight.signal.aborted) return;
      const record = await t.endpoint.invoke(payload, { signal: inflight.signal, timeoutMs: config.timeoutMs });
      stats.add(t.modelId, t.operation, record);
      if (record.error !== null && !inflight.signal.aborted) {
        log(`${t.operation} ${t.modelId} failed (${record.errorType ?? 'unknown'}): ${record.error}`);
      }
    }
  };

  const loop = (async () => {
    while (!stopping) {
      const t0 = performance.now();
      try {
        await Promise.all(targets.map(probeSeries));
        rounds++;
      } catch (error) {
        // endpoints never reject for API failures; anything here is a bug worth seeing, not a reason to stop
        log(`probe round failed: ${(error as Error)?.stack ?? String(error)}`);
      }
      const wait = config.intervalMs - (performance.now() - t0);
      if (wait > 0 && !stopping) await sleep(wait, undefined, { signal: wake.signal }).catch(() => {});
    }
  })();

  log(
    `probing ${targets.length} model/operation pair(s) every ${config.intervalMs} ms on ${
      emulator ? `the embedded emulator (${emulator.url})` : `Amazon Bedrock (${config.region})`
    }; metrics at ${prom.url}`,
  );

  let stopped: Promise<void> | undefined;
  const stopProbing = () => {
    stopped ??= (async () => {
      stopping = true;
      wake.abort();
      const timer = setTimeout(() => inflight.abort(new Error('monitor shutting down')), grace);
      try {
        await loop;
      } finally {
        clearTimeout(timer);
      }
    })();
    return stopped;
  };

  let closed: Promise<void> | undefined;
  const promHandle = prom;
  return {
    config,
    metricsUrl: prom.url,
    port: prom.port,
    emulatorUrl: emulator?.url ?? null,
    get rounds() {
      return rounds;
    },
    stats: snapshot,
    stopProbing,
    close() {
      closed ??= (async () => {
        await stopProbing();
        await promHandle.close();
        client.destroy();
        await emulator?.close();
      })();
      return closed;
    },
  };
}
