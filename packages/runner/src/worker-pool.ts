import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type Endpoint,
  type EndpointJSON,
  InvocationResponse,
  type InvocationResponseInit,
  type InvokeOptions,
  LLMeterValidationError,
  type Payload,
} from '@llmeter/core';

/** Worker threads for a run: a count, or `auto` (one per core but one, at least one). */
export type WorkersOption = number | 'auto';

/** Options of `WorkerPool.start`. */
export interface WorkerPoolOptions {
  /** How many worker threads. */
  workers: WorkersOption;
  /**
   * A module (absolute path or file URL) each worker imports to rebuild the endpoint from its JSON form: its
   * `createEndpoint(json)` export (or default export) returns the endpoint, e.g. a module that calls
   * `registerBedrockEndpoints({ credentials })` and exports `endpointFromJSON` from `@llmeter/core`.
   */
  setup: string | URL;
}

/** The number of threads `workers` asks for. */
export function resolveWorkers(workers: WorkersOption): number {
  if (workers === 'auto') return Math.max(1, availableParallelism() - 1);
  if (!(Number.isInteger(workers) && workers > 0)) {
    throw new LLMeterValidationError(`workers must be a positive integer or 'auto', got ${JSON.stringify(workers)}`);
  }
  return workers;
}

// Runs in each worker (CommonJS, evaluated): rebuilds the endpoint, invokes it per message, posts the record's
// fields back (structured clone keeps Dates, arrays and bytes exactly).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const mod = await import(workerData.setup);
  const create = mod.createEndpoint ?? mod.default;
  if (typeof create !== 'function') {
    throw new Error('worker setup module ' + workerData.setup + ' must export createEndpoint(json) or a default function');
  }
  const endpoint = await create(workerData.endpoint);
  const controllers = new Map();
  parentPort.on('message', async (msg) => {
    if (msg.type === 'abort') {
      controllers.get(msg.id)?.abort(msg.reason);
      return;
    }
    const controller = new AbortController();
    controllers.set(msg.id, controller);
    try {
      const options = { signal: controller.signal };
      if (msg.timeoutMs !== undefined) options.timeoutMs = msg.timeoutMs;
      const record = await endpoint.invoke(msg.payload, options);
      parentPort.postMessage({ type: 'record', id: msg.id, fields: { ...record } });
    } catch (error) {
      parentPort.postMessage({ type: 'error', id: msg.id, message: String((error && error.message) || error) });
    } finally {
      controllers.delete(msg.id);
    }
  });
  parentPort.postMessage({ type: 'ready' });
})().catch((error) => parentPort.postMessage({ type: 'fatal', message: String((error && error.stack) || error) }));
`;

interface Pending {
  resolve: (record: InvocationResponse) => void;
  payload: Payload;
  onAbort?: () => void;
  signal?: AbortSignal;
}

interface Thread {
  worker: Worker;
  inFlight: Map<number, Pending>;
}

/**
 * Endpoints in worker threads: each worker owns an endpoint rebuilt from the given one's JSON form; `invoke` sends
 * the payload to the least busy worker and resolves with the record it measured. The calling thread keeps the
 * run folder, statistics and sinks. A failing worker never loses a record: its requests resolve as failed records.
 * Shaped like an `Endpoint` for the runner (`invoke`, `toJSON`, `modelId`, `endpointName`, `provider`).
 */
export class WorkerPool {
  readonly modelId: string;
  readonly endpointName: string;
  readonly provider: string;
  readonly size: number;
  private readonly threads: Thread[];
  private readonly json: EndpointJSON;
  private nextId = 0;
  private closed = false;

  private constructor(endpoint: Endpoint, json: EndpointJSON, threads: Thread[]) {
    this.modelId = endpoint.modelId;
    this.endpointName = endpoint.endpointName;
    this.provider = endpoint.provider;
    this.json = json;
    this.threads = threads;
    this.size = threads.length;
  }

  /** Starts the workers and waits until each has rebuilt its endpoint (rejects if one cannot). */
  static async start(endpoint: Endpoint, options: WorkerPoolOptions): Promise<WorkerPool> {
    const n = resolveWorkers(options.workers);
    const setup = options.setup instanceof URL ? options.setup.href : options.setup;
    if (typeof setup !== 'string' || setup === '') {
      throw new LLMeterValidationError('workerSetup must be a module path or file URL');
    }
    const setupUrl = /^[a-z]+:/i.test(setup) ? setup : pathToFileURL(setup).href;
    const json = endpoint.toJSON();
    const threads: Thread[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { setup: setupUrl, endpoint: json } });
        threads.push({ worker, inFlight: new Map() });
        await new Promise<void>((resolve, reject) => {
          const onMessage = (msg: { type: string; message?: string }) => {
            if (msg.type === 'ready') done();
            else if (msg.type === 'fatal') done(new Error(`worker ${i} could not start: ${msg.message}`));
          };
          const onError = (error: Error) => done(error);
          const onExit = (code: number) => done(new Error(`worker ${i} exited with ${code} while starting`));
          // Only these listeners go: Worker itself listens to its own events (removeAllListeners breaks it).
          const done = (error?: Error) => {
            worker.off('message', onMessage);
            worker.off('error', onError);
            worker.off('exit', onExit);
            if (error) reject(error);
            else resolve();
          };
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.on('exit', onExit);
        });
      }
    } catch (error) {
      await Promise.all(threads.map((t) => t.worker.terminate()));
      throw error;
    }
    const pool = new WorkerPool(endpoint, json, threads);
    for (const thread of threads) pool.listen(thread);
    return pool;
  }

  private listen(thread: Thread): void {
    const { worker, inFlight } = thread;
    worker.on('message', (msg: { type: string; id: number; fields?: InvocationResponseInit; message?: string }) => {
      const pending = inFlight.get(msg.id);
      if (!pending) return;
      inFlight.delete(msg.id);
      pending.signal?.removeEventListener('abort', pending.onAbort as () => void);
      if (msg.type === 'record') pending.resolve(new InvocationResponse(msg.fields));
      else pending.resolve(this.failed(pending.payload, `endpoint threw in a worker: ${msg.message}`));
    });
    const failAll = (why: string) => {
      for (const [id, pending] of inFlight) {
        inFlight.delete(id);
        pending.resolve(this.failed(pending.payload, why));
      }
    };
    worker.on('error', (error) => failAll(`worker failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (!this.closed) failAll(`worker exited with ${code}`);
      const i = this.threads.indexOf(thread);
      if (i >= 0 && !this.closed) this.threads.splice(i, 1);
    });
  }

  private failed(payload: Payload, message: string): InvocationResponse {
    return InvocationResponse.failed(message, 'unknown', { requestTime: new Date(), inputPayload: payload });
  }

  /** Invokes the endpoint in the least busy worker; resolves with its record (never rejects). */
  invoke(payload: Payload, options: InvokeOptions = {}): Promise<InvocationResponse> {
    let thread = this.threads[0];
    for (const t of this.threads) if (thread === undefined || t.inFlight.size < thread.inFlight.size) thread = t;
    if (this.closed || thread === undefined) {
      return Promise.resolve(this.failed(payload, 'the worker pool is closed'));
    }
    const id = this.nextId++;
    const { signal, timeoutMs } = options;
    return new Promise((resolve) => {
      const pending: Pending = { resolve, payload };
      if (signal) {
        pending.signal = signal;
        pending.onAbort = () => thread.worker.postMessage({ type: 'abort', id, reason: String(signal.reason) });
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      thread.inFlight.set(id, pending);
      thread.worker.postMessage({ type: 'invoke', id, payload, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
      if (signal?.aborted) pending.onAbort?.();
    });
  }

  /** The wrapped endpoint's JSON form. */
  toJSON(): EndpointJSON {
    return this.json;
  }

  /** Stops the workers (requests still in flight resolve as failed records). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const thread of this.threads) {
      for (const [id, pending] of thread.inFlight) {
        thread.inFlight.delete(id);
        pending.resolve(this.failed(pending.payload, 'the worker pool was closed'));
      }
    }
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
