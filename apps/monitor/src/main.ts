#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { LLMeterError } from '@llmeter/core';
import { startMonitor } from './monitor.js';
import { ENV_VARS, loadMonitorConfig } from './monitor-config.js';

const USAGE = `Usage: llmeter-monitor [--config <file.json>]

Probes Bedrock models (or, with no models configured, an embedded emulator) every interval and serves
Prometheus metrics at http://<host>:<port>/metrics, exact percentiles at /stats.

Environment (wins over the file): ${Object.values(ENV_VARS).join(', ')}.`;

async function main(): Promise<number> {
  let args: { config?: string | undefined; help?: boolean | undefined };
  try {
    args = parseArgs({
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    }).values;
  } catch (error) {
    console.error(`llmeter-monitor: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  let monitor: Awaited<ReturnType<typeof startMonitor>>;
  try {
    const config = await loadMonitorConfig(args.config ? { file: args.config } : {});
    monitor = await startMonitor(config);
  } catch (error) {
    const message = LLMeterError.isInstance(error) ? error.message : ((error as Error)?.stack ?? String(error));
    console.error(`llmeter-monitor: ${message}`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`llmeter-monitor: ${signal}: stopping (in-flight probes get a few seconds)`);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      monitor.close().then(resolve, (error) => {
        console.error('llmeter-monitor: error while stopping:', error);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

main().then((code) => {
  process.exitCode = code;
});
