export type {
  ArrivalProcess,
  ArrivalSchedule,
  RandomScheduleOptions,
  ScheduleBounds,
  ScheduleStep,
} from './arrival-schedule.js';
export {
  constantSchedule,
  gammaSchedule,
  poissonSchedule,
  rampSchedule,
  rateSchedule,
  replaySchedule,
  scheduleToArray,
  sleepUntil,
  stepSchedule,
} from './arrival-schedule.js';
export type { InvokeInfo, RunCallbacks } from './callbacks.js';
export { ConcurrencyLimiter } from './concurrency-limiter.js';
export type { CostModelOptions, RequestCostDimension, RunCostDimension } from './experiments/cost-model.js';
export { CostModel, EndpointTime, InputTokens, OutputTokens } from './experiments/cost-model.js';
export type { HeatmapCell, LatencyHeatmapOptions } from './experiments/latency-heatmap.js';
export { HEATMAP_DEFAULTS, LatencyHeatmap, LatencyHeatmapResult } from './experiments/latency-heatmap.js';
export type { LoadTestOptions } from './experiments/load-test.js';
export { LoadTest, LoadTestResult } from './experiments/load-test.js';
export type { Tokenizer } from './experiments/tokenizer.js';
export { defaultTokenizer, truncateToTokens } from './experiments/tokenizer.js';
export type { PayloadSource } from './payload-source.js';
export { loadPayloads } from './payload-source.js';
export type { ProgressEvent } from './progress.js';
export type { Rng } from './random.js';
export { createRng } from './random.js';
export type { ResultInit, RunSummaryJSON } from './result.js';
export { Result } from './result.js';
export type { RunFolderContents, RunFolderWriterOptions } from './run-folder.js';
export {
  parseJSONLines,
  RUN_FILES,
  RunFolderWriter,
  readRunFolder,
  readRunFolderFiles,
  streamJSONLines,
  streamRunRecords,
} from './run-folder.js';
export type { RunnerOptions, RunOverrides, WarmupOption } from './runner.js';
export { Runner } from './runner.js';
export { QuantileSketch } from './stats/quantile-sketch.js';
export type { Stats, StatsOptions } from './stats/stats-accumulator.js';
export { computeStats, INTENDED_SEND_KEY, StatsAccumulator } from './stats/stats-accumulator.js';
export type { WorkerPoolOptions, WorkersOption } from './worker-pool.js';
export { resolveWorkers, WorkerPool } from './worker-pool.js';
