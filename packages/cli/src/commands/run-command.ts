import type { Result, RunnerOptions } from '@llmeter/runner';
import { Runner } from '@llmeter/runner';
import { type Command, Option } from 'commander';
import { CliExit, type CliIO } from '../cli-io.js';
import {
  addEndpointOptions,
  type EndpointFlags,
  endpointFlagProblem,
  openEndpoint,
} from '../options/endpoint-options.js';
import {
  addPayloadOptions,
  addRunOutputOptions,
  type LoadFlags,
  prepareOutFolder,
  resolvePayloads,
  runnerOptionsFrom,
} from '../options/load-options.js';
import { positiveInteger, positiveNumber } from '../options/option-parsers.js';
import { writeReportAfterRun } from '../report/write-report.js';
import { formatStatsTable } from '../stats/stats-table.js';
import { givenOn, outcomeProblem, progressDisplayFor } from './measure-plumbing.js';

/** The arrival processes of open-loop runs. */
export const ARRIVALS = ['constant', 'poisson', 'gamma'] as const;

type RunFlags = EndpointFlags &
  LoadFlags & {
    clients?: number;
    rate?: number;
    arrival?: (typeof ARRIVALS)[number];
    burstiness?: number;
    maxConcurrency?: number;
  };

const EXAMPLES = `
Examples:
  # 100 requests at 20 per second (Poisson arrivals) against the embedded emulator
  $ llmeter run --rate 20 --arrival poisson --requests 100

  # closed loop: 8 clients, 10 requests each, a 5-request warm-up, with goodput objectives
  $ llmeter run --clients 8 --requests 10 --warmup 5 --slo ttft=0.5,tpot=0.05

  # Amazon Bedrock ConverseStream for 60 seconds with your own payloads, then an HTML report
  $ llmeter run --endpoint bedrock-converse-stream --model-id us.amazon.nova-micro-v1:0 \\
      --region us-east-1 --payload payloads.jsonl --clients 4 --duration 60 --report

Closed loop (default): --clients clients each send --requests requests (or run for --duration seconds).
Open loop: --rate requests per second on a --arrival schedule; --requests is then the total count.
The run folder ({--out}/{--run-name}/) holds run_config.json, responses.jsonl, summary.json and stats.json.
Exit status: 0 when some request succeeded, 1 when the run could not start or every request failed, 2 on bad usage.`;

/** Adds the open/closed loop flags of `run`. */
function addLoopOptions(cmd: Command): Command {
  return cmd
    .optionsGroup('Load (closed loop: --clients; open loop: --rate):')
    .addOption(
      new Option('--clients <n>', 'closed loop: concurrent clients (default 1)')
        .argParser(positiveInteger)
        .conflicts('rate'),
    )
    .option('--requests <n>', 'closed loop: requests per client; open loop: total requests', positiveInteger)
    .option('--duration <seconds>', 'keep sending for this many seconds instead of a request count', positiveNumber)
    .option('--rate <rps>', 'open loop: requests per second', positiveNumber)
    .addOption(new Option('--arrival <process>', 'open loop: arrival process (default constant)').choices(ARRIVALS))
    .option(
      '--burstiness <cv2>',
      'open loop, gamma arrivals: squared coefficient of variation of the gaps (default 1)',
      positiveNumber,
    )
    .option('--max-concurrency <n>', 'open loop: most requests in flight (default unbounded)', positiveInteger);
}

/**
 * The first open-loop flag (`--arrival`, `--burstiness`, `--max-concurrency`) given without the rate flag that
 * selects the open loop (`--rate` for `run`, `--rates` for `sweep`), as a usage problem; null when there is none.
 */
export function openLoopFlagProblem(
  flags: Pick<RunFlags, 'arrival' | 'burstiness' | 'maxConcurrency'>,
  rateFlag: '--rate' | '--rates',
  what: 'runs' | 'levels',
): string | null {
  for (const [key, flag] of [
    ['arrival', '--arrival <process>'],
    ['burstiness', '--burstiness <cv2>'],
    ['maxConcurrency', '--max-concurrency <n>'],
  ] as const) {
    if (flags[key] !== undefined) return `option '${flag}' needs ${rateFlag} (it applies to open-loop ${what})`;
  }
  return null;
}

/** Checks the open-loop flags are only used with `--rate`, and `--burstiness` only with gamma arrivals. */
function loopProblem(flags: RunFlags): string | null {
  if (flags.rate === undefined) return openLoopFlagProblem(flags, '--rate', 'runs');
  if (flags.burstiness !== undefined && flags.arrival !== 'gamma')
    return `option '--burstiness <cv2>' needs --arrival gamma`;
  return null;
}

/** The counts and the most common error of a finished run. */
export function outcomeOf(result: Result): { total: number; failed: number; topError: string | null } {
  const total =
    typeof result.stats['total_requests'] === 'number' ? result.stats['total_requests'] : result.totalRequests;
  const failed = typeof result.stats['failed_requests'] === 'number' ? result.stats['failed_requests'] : 0;
  const counts = new Map<string, number>();
  for (const r of result.responses) if (r.error) counts.set(r.error, (counts.get(r.error) ?? 0) + 1);
  // A low-memory run keeps no records: name the most common error type from its statistics instead.
  if (counts.size === 0) {
    for (const [key, value] of Object.entries(result.stats)) {
      const type = /^failed_requests-(.+)$/.exec(key)?.[1];
      if (type && typeof value === 'number' && value > 0) counts.set(`${type} errors`, value);
    }
  }
  const top = [...counts].sort((a, b) => b[1] - a[1])[0];
  return { total, failed, topError: top ? top[0] : null };
}

/** Prints a finished run (table or JSON) and decides the exit status. */
export async function reportRun(
  result: Result,
  flags: Pick<LoadFlags, 'json' | 'report'>,
  io: CliIO,
  extra: Record<string, unknown> = {},
): Promise<number> {
  let reportFile: string | null = null;
  let reportFailed = false;
  if (flags.report && result.outputPath) {
    ({ file: reportFile, failed: reportFailed } = await writeReportAfterRun(result.outputPath, io.stderr));
  }
  const { total, failed, topError } = outcomeOf(result);
  if (flags.json) {
    io.stdout.write(
      `${JSON.stringify({ runFolder: result.outputPath, interrupted: result.interrupted, report: reportFile, ...extra, stats: result.stats }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(`\n${formatStatsTable(result.stats)}\n\n`);
    if (result.interrupted) io.stdout.write('The run was interrupted: the results cover the requests that finished.\n');
    if (result.outputPath) io.stdout.write(`Run folder: ${result.outputPath}\n`);
    if (reportFile) io.stdout.write(`Report: ${reportFile}\n`);
  }
  const problem = outcomeProblem(total, failed, topError);
  if (problem) {
    io.stderr.write(`llmeter: ${problem}\n`);
    return 1;
  }
  return reportFailed ? 1 : 0;
}

/** Registers `llmeter run`. */
export function registerRunCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('run')
    .summary('run one load test and print its statistics')
    .description(
      'Run one load test against an endpoint (default: the embedded Bedrock emulator), write its LLMeter run folder, and print its statistics.',
    );
  addEndpointOptions(cmd);
  addPayloadOptions(cmd);
  addLoopOptions(cmd);
  addRunOutputOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(async (flags: RunFlags, command: Command) => {
    const problem = endpointFlagProblem(flags, givenOn(command)) ?? loopProblem(flags);
    if (problem) throw new CliExit(problem, 2);
    prepareOutFolder(flags.out);
    const payload = await resolvePayloads(flags);
    const opened = await openEndpoint(flags);
    try {
      const display = progressDisplayFor(io, flags);
      const options: RunnerOptions = {
        ...runnerOptionsFrom(flags, payload),
        endpoint: opened.endpoint,
        outputPath: flags.out,
        onProgress: (e) => display.update(e),
      };
      if (flags.runName) options.runName = flags.runName;
      if (flags.clients !== undefined) options.clients = flags.clients;
      if (flags.rate !== undefined) options.rate = flags.rate;
      if (flags.arrival !== undefined) options.arrivals = flags.arrival;
      if (flags.burstiness !== undefined) options.burstiness = flags.burstiness;
      if (flags.maxConcurrency !== undefined) options.maxConcurrency = flags.maxConcurrency;
      if (!flags.json) io.stderr.write(`llmeter: measuring ${opened.description}\n`);
      const result = await new Runner(options).run();
      display.stop();
      setExit(await reportRun(result, flags, io));
    } finally {
      await opened.close();
    }
  });
}
