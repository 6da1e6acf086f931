export type { Monitor, MonitorStats, StartMonitorOptions } from './monitor.js';
export { startMonitor } from './monitor.js';
export type {
  EmulatorConfig,
  LoadMonitorConfigOptions,
  ModelConfig,
  MonitorConfig,
  ProbeConfig,
  ProbeOperation,
} from './monitor-config.js';
export {
  DEFAULT_CONFIG,
  EMULATOR_DEFAULT_MODELS,
  ENV_VARS,
  loadMonitorConfig,
  MonitorConfigError,
  resolveMonitorConfig,
} from './monitor-config.js';
export type { SeriesStats } from './probe-stats.js';
export { ProbeStats, RingBuffer } from './probe-stats.js';
