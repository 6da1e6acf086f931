import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { Endpoint, Payload, RecordSink, SLO } from '@llmeter/core';
import { InvocationResponse, LLMeterValidationError, SinkFanout } from '@llmeter/core';
import type { ArrivalProcess, ArrivalSchedule } from './arrival-schedule.js';
import { rateSchedule, sleepUntil } from './arrival-schedule.js';
import type { InvokeInfo, RunCallbacks } from './callbacks.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import { positiveInteger, positiveNumber } from './option-checks.js';
import type { PayloadSource } from './payload-source.js';
import { loadPayloads } from './payload-source.js';
import type { ProgressEvent } from './progress.js';
import { createRng, deriveSeed, shuffledIndices } from './random.js';
import { Result } from './result.js';
import { prepareRunFolder, RUN_FILES, RunFolderWriter } from './run-folder.js';
import { timestampName } from './run-name.js';
import { QuantileSketch } from './stats/quantile-sketch.js';
import { INTENDED_SEND_KEY, StatsAccumulator } from './stats/stats-accumulator.js';
import { resolveWorkers, WorkerPool, type WorkersOption } from './worker-pool.js';

/** Warm-up: a number of requests, or `{ requests }` / `{ seconds }`. */
export type WarmupOption = number | { requests?: number; seconds?: number };

/** Options of a `Runner` (every one may be overridden per `run`). Times are seconds. */
export interface RunnerOptions {
  /** The endpoint to load. Required. */
  endpoint: Endpoint;
  /** Payloads: an object, an array, a `.json`/`.jsonl` file or folder path, or an async iterable. Required. */
  payload: PayloadSource;
  /** Parent folder of the run folder `{outputPath}/{runName}/`; nothing is written when absent. */
  outputPath?: string;
  /** Run name (the run folder's name); default a UTC timestamp `YYYYMMDD-HHMMSS-mmm`. */
  runName?: string;
  runDescription?: string;
  /** Closed loop: concurrent clients; default 1. */
  clients?: number;
  /**
   * Closed loop: requests per client (default: the number of payloads, unless `runDuration` is set).
   * Open loop: total requests (same default).
   */
  nRequests?: number;
  /** Seconds to keep sending (closed loop: per client; open loop: schedule length). */
  runDuration?: number;
  /** Open loop: requests per second. Setting `rate` (or `schedule`) selects the open loop. */
  rate?: number;
  /** Open loop: arrival process; default `constant`. */
  arrivals?: ArrivalProcess;
  /** Open loop, `gamma` arrivals: squared coefficient of variation of the gaps; default 1. */
  burstiness?: number;
  /**
   * Open loop with your own schedule (intended instants, seconds from start). Takes precedence over `rate`.
   * `nRequests` and `runDuration`, when given, cut it; otherwise it runs until the schedule (or the payloads) end.
   */
  schedule?: ArrivalSchedule | (() => ArrivalSchedule);
  /** Open loop: most requests in flight; default unbounded. Arrivals over the cap wait (their lag shows it). */
  maxConcurrency?: number;
  /** Requests sent first and kept out of files and statistics (count, or `{ requests }` / `{ seconds }`). */
  warmup?: WarmupOption;
  /** Per-request timeout, seconds; default 60. */
  timeout?: number;
  /** After a stop, seconds to wait for requests in flight before aborting them; default `timeout`. */
  drainTimeout?: number;
  callbacks?: RunCallbacks | RunCallbacks[];
  /** More record sinks (OpenTelemetry, …); each failure is reported once and the sink detached. */
  sinks?: RecordSink[];
  /** Service-level objectives (seconds) for goodput statistics. */
  slo?: SLO;
  /** Keep no records in memory; percentiles from a quantile sketch. Default false. */
  lowMemory?: boolean;
  /** Seed of payload orders and random arrivals; default 1. */
  seed?: number;
  /** Stops sending when aborted; the run ends with `interrupted: true`. */
  signal?: AbortSignal;
  /** Stop on SIGINT/SIGTERM (a second signal aborts requests in flight); default true. */
  handleSignals?: boolean;
  /** Receives progress events every `progressInterval` ms and once at the end. */
  onProgress?: (event: ProgressEvent) => void;
  /** Milliseconds between progress events; default 500. */
  progressInterval?: number;
  /** Reports a callback or sink failure; default `console.warn` (once per hook). */
  onCallbackError?: (hook: string, error: unknown) => void;
  /**
   * Invoke in worker threads (a count, or `auto`: one per core but one): each worker owns an endpoint rebuilt from
   * `endpoint.toJSON()` by `workerSetup`; this thread keeps the schedule, run folder, statistics and sinks.
   * Default: none (invoke in this thread).
   */
  workers?: WorkersOption;
  /** With `workers`: the module each worker imports to rebuild the endpoint (see `WorkerPoolOptions.setup`). */
  workerSetup?: string | URL;
}

/** Per-run overrides of `RunnerOptions`. */
export type RunOverrides = Partial<RunnerOptions>;

function positiveInt(name: string, v: unknown): void {
  if (v !== undefined) positiveInteger(name, v);
}
function positiveNum(name: string, v: unknown): void {
  if (v !== undefined) positiveNumber(name, v);
}

function validate(o: RunnerOptions): void {
  if (!o.endpoint || typeof (o.endpoint as Endpoint).invoke !== 'function') {
    throw new LLMeterValidationError('endpoint must be an Endpoint (with an invoke method)');
  }
  if (o.payload === undefined || o.payload === null) throw new LLMeterValidationError('payload is required');
  positiveInt('clients', o.clients);
  positiveInt('nRequests', o.nRequests);
  positiveInt('maxConcurrency', o.maxConcurrency);
  positiveNum('runDuration', o.runDuration);
  positiveNum('rate', o.rate);
  positiveNum('timeout', o.timeout);
  positiveNum('burstiness', o.burstiness);
  if (o.arrivals !== undefined && !['constant', 'poisson', 'gamma'].includes(o.arrivals)) {
    throw new LLMeterValidationError(
      `arrivals must be 'constant', 'poisson' or 'gamma', got ${JSON.stringify(o.arrivals)}`,
    );
  }
  if (o.drainTimeout !== undefined && !(o.drainTimeout >= 0)) {
    throw new LLMeterValidationError(
      `drainTimeout must be a non-negative number, got ${JSON.stringify(o.drainTimeout)}`,
    );
  }
  if (o.workers !== undefined) {
    resolveWorkers(o.workers);
    if (o.workerSetup === undefined)
      throw new LLMeterValidationError('workers needs workerSetup (a module path or URL)');
  }
  const w = o.warmup;
  if (w !== undefined) {
    if (typeof w === 'number') {
      if (!(Number.isInteger(w) && w >= 0))
        throw new LLMeterValidationError(`warmup must be a non-negative integer, got ${w}`);
    } else {
      if (w.requests !== undefined && !(Number.isInteger(w.requests) && w.requests >= 0)) {
        throw new LLMeterValidationError(`warmup.requests must be a non-negative integer, got ${w.requests}`);
      }
      if (w.seconds !== undefined && !(w.seconds >= 0))
        throw new LLMeterValidationError(`warmup.seconds must be >= 0, got ${w.seconds}`);
    }
  }
}

/** A schedule cut at `count` instants and before `duration` seconds (either may be absent). */
async function* boundSchedule(
  schedule: ArrivalSchedule,
  bounds: { count?: number | null; duration?: number | undefined },
): AsyncGenerator<number> {
  let n = 0;
  for await (const at of schedule) {
    if (bounds.count != null && n >= bounds.count) return;
    if (bounds.duration !== undefined && at >= bounds.duration) return;
    n++;
    yield at;
  }
}

/** A source of payloads shared by the request drivers. */
interface PayloadCursor {
  next(stream: number): Promise<Payload | undefined>;
}

/**
 * Runs load against an endpoint, LLMeter-style (closed loop: `clients` × `nRequests`) or open loop (`rate`
 * requests/second on a seeded arrival schedule, lag recorded per request), and writes the LLMeter run folder.
 * Composed from the package's parts: arrival schedules, `ConcurrencyLimiter`, `RunFolderWriter`, `StatsAccumulator`.
 */
export class Runner {
  readonly options: RunnerOptions;

  constructor(options: RunnerOptions) {
    validate(options);
    this.options = options;
  }

  /** Runs once with `overrides` applied; resolves with the result (also when stopped by a signal). */
  async run(overrides: RunOverrides = {}): Promise<Result> {
    const o: RunnerOptions = { ...this.options, ...overrides };
    validate(o);
    const source = await loadPayloads(o.payload);
    const payloads = Array.isArray(source) ? (source as Payload[]) : null;
    const startWall = new Date();
    const runName = o.runName ?? timestampName(startWall);
    const dir = o.outputPath ? join(o.outputPath, runName) : null;
    // Before any request: a run folder that cannot be written would otherwise lose every file of the run.
    if (dir) prepareRunFolder(dir);
    // Worker threads, when asked for: the pool stands in for the endpoint (same records, measured in the workers).
    const pool =
      o.workers !== undefined
        ? await WorkerPool.start(o.endpoint, { workers: o.workers, setup: o.workerSetup as string | URL })
        : null;
    const endpoint = (pool ?? o.endpoint) as Endpoint;
    const seed = o.seed ?? 1;
    const clients = o.clients ?? 1;
    const openLoop = o.rate !== undefined || o.schedule !== undefined;
    // Default: one request per payload, unless a duration or a schedule of your own says how long to go.
    const nRequests =
      o.nRequests ?? (o.runDuration === undefined && o.schedule === undefined ? (payloads?.length ?? null) : null);
    const timeoutMs = (o.timeout ?? 60) * 1000;
    const drainMs = (o.drainTimeout ?? o.timeout ?? 60) * 1000;
    const callbacks = o.callbacks === undefined ? [] : Array.isArray(o.callbacks) ? o.callbacks : [o.callbacks];
    const warmup = typeof o.warmup === 'number' ? { requests: o.warmup } : (o.warmup ?? {});

    let callbackErrors = 0;
    const reported = new Set<string>();
    const report =
      o.onCallbackError ??
      ((hook: string, error: unknown) => {
        if (reported.has(hook)) return;
        reported.add(hook);
        console.warn(`llmeter: ${hook} failed (reported once; the run goes on):`, error);
      });
    const safeReport = (hook: string, error: unknown) => {
      callbackErrors++;
      try {
        report(hook, error);
      } catch {
        // a failing reporter must not stop the run either
      }
    };
    const callHook = async (hook: keyof RunCallbacks, arg: unknown, info?: InvokeInfo): Promise<void> => {
      for (const cb of callbacks) {
        const fn = cb[hook] as ((a: unknown, i?: InvokeInfo) => unknown) | undefined;
        if (!fn) continue;
        try {
          const r = fn.call(cb, arg, info);
          if (r && typeof (r as Promise<unknown>).then === 'function') await r;
        } catch (error) {
          safeReport(hook, error);
        }
      }
    };

    // Found once per run: the per-request hooks cost no promise and no await when no callback defines them.
    const hasBeforeInvoke = callbacks.some((cb) => cb.beforeInvoke !== undefined);
    const hasAfterInvoke = callbacks.some((cb) => cb.afterInvoke !== undefined);

    const config: Record<string, unknown> = {
      endpoint: endpoint.toJSON(),
      run_name: runName,
      run_description: o.runDescription ?? null,
      mode: openLoop ? 'open-loop' : 'closed-loop',
      clients,
      n_requests: nRequests,
      run_duration: o.runDuration ?? null,
      rate: o.rate ?? null,
      arrivals: openLoop && !o.schedule ? (o.arrivals ?? 'constant') : null,
      burstiness: o.burstiness ?? null,
      max_concurrency: o.maxConcurrency ?? null,
      warmup: o.warmup ?? null,
      timeout: timeoutMs / 1000,
      low_memory: o.lowMemory === true,
      seed,
      slo: o.slo ?? null,
      // LLMeter's key: where the run's payloads are (the folder's payload.jsonl, which every run writes).
      payload: dir ? join(dir, RUN_FILES.payloads) : typeof o.payload === 'string' ? o.payload : null,
      payload_path: typeof o.payload === 'string' ? o.payload : null,
      tokenizer: null,
      output_path: dir,
      start_time: startWall.toISOString(),
    };

    const writer = dir ? new RunFolderWriter({ path: dir }) : null;
    const fanout = new SinkFanout([...(writer ? [writer] : []), ...(o.sinks ?? [])], {
      onSinkError: (sink, error) => safeReport(`sink ${sink.name ?? 'unnamed'}`, error),
    });
    const acc = new StatsAccumulator({ lowMemory: o.lowMemory === true, ...(o.slo ? { slo: o.slo } : {}) });
    const responses: InvocationResponse[] = [];

    // Stop sending (signal, SIGINT); then, after the drain timeout, abort what is in flight.
    const stop = new AbortController();
    // One controller per request in flight, not one shared signal: EventTarget listeners are a list, and
    // thousands of them on one signal made every addEventListener cost O(requests in flight).
    const inFlightControllers = new Set<AbortController>();
    let cancelReason: Error | null = null;
    const abortInFlight = (reason: Error) => {
      cancelReason ??= reason;
      for (const c of inFlightControllers) c.abort(reason);
    };
    setMaxListeners(0, stop.signal);
    let drainTimer: NodeJS.Timeout | undefined;
    const requestStop = () => {
      if (stop.signal.aborted) {
        abortInFlight(new Error('run stopped'));
        return;
      }
      stop.abort(new Error('run stopped'));
      drainTimer = setTimeout(() => abortInFlight(new Error('drain timeout')), drainMs);
      drainTimer.unref?.();
    };
    const onExternalAbort = () => requestStop();
    if (o.signal?.aborted) requestStop();
    else o.signal?.addEventListener('abort', onExternalAbort, { once: true });
    const handleSignals = o.handleSignals ?? true;
    const onSignal = () => requestStop();
    if (handleSignals) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }

    // Payload order: each stream (client) walks its own seeded shuffle; async iterables are shared.
    const iterator = payloads ? null : (source as AsyncIterable<Payload>)[Symbol.asyncIterator]();
    const orders = new Map<number, { order: number[]; k: number }>();
    const cursor: PayloadCursor = {
      async next(stream) {
        if (payloads) {
          let st = orders.get(stream);
          if (!st) {
            st = { order: shuffledIndices(payloads.length, createRng(deriveSeed(seed, stream))), k: 0 };
            orders.set(stream, st);
          }
          const p = payloads[st.order[st.k % st.order.length] as number];
          st.k++;
          return p;
        }
        let r: IteratorResult<Payload>;
        try {
          r = await (iterator as AsyncIterator<Payload>).next();
        } catch (error) {
          // A payload source that throws ends the sending, as a stop does: what was measured is still saved.
          safeReport('payload', error);
          if (!stop.signal.aborted) requestStop();
          return undefined;
        }
        if (r.done) return undefined;
        writer?.appendPayloads([r.value]);
        return r.value;
      },
    };

    // Progress.
    let phase: ProgressEvent['phase'] = warmup.requests || warmup.seconds ? 'warmup' : 'run';
    let phaseStart = performance.now();
    let sent = 0;
    let done = 0;
    let errors = 0;
    let inFlight = 0;
    let ttftSketch = new QuantileSketch(0.01);
    let expected: number | null = null;
    const emit = (p: ProgressEvent['phase'] = phase) => {
      if (!o.onProgress) return;
      const [p50, p90] = ttftSketch.percentiles([50, 90]);
      try {
        o.onProgress({
          phase: p,
          elapsed: (performance.now() - phaseStart) / 1000,
          sent,
          done,
          errors,
          inFlight,
          ttftP50: p50 ?? null,
          ttftP90: p90 ?? null,
          total: expected,
        });
      } catch (error) {
        safeReport('onProgress', error);
      }
    };
    const progressTimer = o.onProgress ? setInterval(() => emit(), o.progressInterval ?? 500) : undefined;
    progressTimer?.unref?.();
    const startPhase = (p: ProgressEvent['phase'], total: number | null) => {
      phase = p;
      phaseStart = performance.now();
      sent = done = errors = 0;
      ttftSketch = new QuantileSketch(0.01);
      expected = total;
    };

    /** Sends one request and routes its record. Never rejects. */
    const invokeOne = async (
      payload: Payload,
      isWarmup: boolean,
      intended: { ms: number; offset: number } | null,
      client: number | null = null,
    ): Promise<void> => {
      const info: InvokeInfo = { warmup: isWarmup, client };
      const p: Payload = { ...payload };
      sent++;
      inFlight++;
      if (hasBeforeInvoke) await callHook('beforeInvoke', p, info);
      const actualMs = performance.now();
      let record: InvocationResponse;
      try {
        const controller = new AbortController();
        if (cancelReason) controller.abort(cancelReason);
        inFlightControllers.add(controller);
        try {
          record = await endpoint.invoke(p, { signal: controller.signal, timeoutMs });
        } finally {
          inFlightControllers.delete(controller);
        }
      } catch (error) {
        // A programming error inside the endpoint: still one record per request sent.
        record = InvocationResponse.failed(error instanceof Error ? error.message : String(error), 'unknown', {
          id: randomUUID().replaceAll('-', ''),
          inputPayload: p,
          requestTime: new Date(),
        });
      }
      if (intended !== null) {
        record.scheduleLag = (actualMs - intended.ms) / 1000;
        record.extra = { ...(record.extra ?? {}), [INTENDED_SEND_KEY]: intended.offset };
      }
      if (hasAfterInvoke) await callHook('afterInvoke', record, info);
      inFlight--;
      done++;
      if (record.error !== null) errors++;
      else if (record.timeToFirstToken !== null) ttftSketch.add(record.timeToFirstToken);
      if (isWarmup) return;
      acc.add(record);
      if (!o.lowMemory) responses.push(record);
      await fanout.onRecord(record);
    };

    /** Closed loop: `clients` loops, each sending one request after another. */
    const closedLoop = async (
      limits: { perClient?: number | null; shared?: number; seconds?: number },
      isWarmup: boolean,
    ) => {
      const deadline = limits.seconds !== undefined ? performance.now() + limits.seconds * 1000 : null;
      let tickets = limits.shared;
      const client = async (c: number) => {
        for (let k = 0; ; k++) {
          if (stop.signal.aborted) return;
          if (limits.perClient != null && k >= limits.perClient) return;
          if (deadline !== null && performance.now() >= deadline) return;
          if (tickets !== undefined) {
            if (tickets <= 0) return;
            tickets--;
          }
          const payload = await cursor.next(isWarmup ? 1_000_000 + c : c);
          if (payload === undefined) return;
          await invokeOne(payload, isWarmup, null, c);
        }
      };
      await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
    };

    /** Open loop: one send per intended instant, not waiting for answers (bounded by `maxConcurrency`). */
    const openLoopRun = async (schedule: AsyncIterable<number>, isWarmup: boolean, t0: number) => {
      const limiter = o.maxConcurrency ? new ConcurrencyLimiter(o.maxConcurrency) : null;
      const pending = new Set<Promise<void>>();
      const stopped = new Promise<false>((resolve) => {
        if (stop.signal.aborted) resolve(false);
        stop.signal.addEventListener('abort', () => resolve(false), { once: true });
      });
      const stream = isWarmup ? 1_000_000 : 0;
      for await (const at of schedule) {
        if (stop.signal.aborted) break;
        const intended = t0 + at * 1000;
        if (!(await sleepUntil(intended, stop.signal))) break;
        if (limiter && !limiter.tryAcquire()) {
          const got = await Promise.race([limiter.acquire().then(() => true), stopped]);
          if (!got) break;
        }
        const payload = await cursor.next(stream);
        if (payload === undefined) {
          limiter?.release();
          break;
        }
        const task: Promise<void> = invokeOne(payload, isWarmup, { ms: intended, offset: at }).finally(() => {
          limiter?.release();
          pending.delete(task);
        });
        pending.add(task);
      }
      await Promise.all(pending);
    };

    const buildSchedule = (bounds: { count?: number | null; duration?: number | undefined }): AsyncIterable<number> => {
      if (o.schedule) return boundSchedule(typeof o.schedule === 'function' ? o.schedule() : o.schedule, bounds);
      const opts: Parameters<typeof rateSchedule>[0] = {
        rate: o.rate as number,
        arrivals: o.arrivals ?? 'constant',
        seed,
      };
      if (o.burstiness !== undefined) opts.burstiness = o.burstiness;
      if (bounds.count != null) opts.count = bounds.count;
      if (bounds.duration !== undefined) opts.duration = bounds.duration;
      return rateSchedule(opts);
    };

    let result: Result;
    try {
      await fanout.onRunStart({
        runName,
        endpoint: endpoint.toJSON(),
        startTime: startWall,
        config,
        ...(payloads ? { payloads } : {}),
      });
      await callHook('beforeRun', config);

      // Warm-up.
      let warmupSent = 0;
      if ((warmup.requests || warmup.seconds) && !stop.signal.aborted) {
        startPhase('warmup', warmup.requests ?? null);
        if (openLoop && o.rate !== undefined) {
          const s = rateSchedule({
            rate: o.rate,
            arrivals: o.arrivals ?? 'constant',
            seed: deriveSeed(seed, 999),
            ...(warmup.requests ? { count: warmup.requests } : {}),
            ...(warmup.seconds ? { duration: warmup.seconds } : {}),
          });
          await openLoopRun(s, true, performance.now());
        } else {
          await closedLoop(
            {
              ...(warmup.requests ? { shared: warmup.requests } : {}),
              ...(warmup.seconds ? { seconds: warmup.seconds } : {}),
            },
            true,
          );
        }
        warmupSent = sent;
      }

      // The measured run.
      startPhase('run', nRequests === null ? null : openLoop ? nRequests : nRequests * clients);
      const runStartWall = new Date();
      const runStartMs = performance.now();
      if (!stop.signal.aborted) {
        if (openLoop) {
          await openLoopRun(buildSchedule({ count: nRequests, duration: o.runDuration }), false, runStartMs);
        } else {
          await closedLoop(
            { perClient: nRequests, ...(o.runDuration !== undefined ? { seconds: o.runDuration } : {}) },
            false,
          );
        }
      }
      const endMs = performance.now();
      const stats = acc.result();
      stats['interrupted'] = stop.signal.aborted;
      if (warmupSent) stats['warmup_requests'] = warmupSent;
      const range = acc.requestTimeRange;
      result = new Result({
        responses,
        stats,
        totalRequests: acc.count,
        clients,
        nRequests,
        totalTestTime: (endMs - runStartMs) / 1000,
        modelId: endpoint.modelId ?? null,
        outputPath: dir,
        endpointName: endpoint.endpointName ?? null,
        provider: endpoint.provider ?? null,
        runName,
        runDescription: o.runDescription ?? null,
        startTime: runStartWall,
        firstRequestTime: range?.first ?? null,
        lastRequestTime: range?.last ?? null,
        endTime: new Date(),
        interrupted: stop.signal.aborted,
        config,
      });
      await callHook('afterRun', result);
      if (callbackErrors) result.stats['callback_errors'] = callbackErrors;
      emit('done');
      await fanout.onRunEnd({
        runName,
        endTime: result.endTime as Date,
        interrupted: result.interrupted,
        stats: result.stats,
        summary: result.toSummaryJSON(),
      });
    } finally {
      if (progressTimer) clearInterval(progressTimer);
      if (drainTimer) clearTimeout(drainTimer);
      o.signal?.removeEventListener('abort', onExternalAbort);
      if (handleSignals) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      writer?.close();
      await pool?.close();
    }
    return result;
  }
}
