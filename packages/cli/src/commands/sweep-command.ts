import type { LoadTestOptions, LoadTestResult } from '@llmeter/runner';
import { LoadTest } from '@llmeter/runner';
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
import { positiveInteger, positiveIntegerList, positiveNumber, positiveNumberList } from '../options/option-parsers.js';
import { levelLabel } from '../report/report-charts.js';
import { formatStat } from '../stats/format-value.js';
import { textTable } from '../stats/stats-table.js';
import { finishRuns, givenOn, progressDisplayFor, steppedProgress } from './measure-plumbing.js';
import { ARRIVALS, openLoopFlagProblem } from './run-command.js';

type SweepFlags = EndpointFlags &
  LoadFlags & {
    clients?: number[];
    rates?: number[];
    arrival?: (typeof ARRIVALS)[number];
    burstiness?: number;
    maxConcurrency?: number;
  };

const EXAMPLES = `
Examples:
  # closed loop at 1, 2, 4 and 8 clients, 10 requests per client at each level, with an HTML report
  $ llmeter sweep --clients 1,2,4,8 --requests 10 --report

  # open loop at 5, 10 and 20 requests per second, 100 requests per level, Poisson arrivals
  $ llmeter sweep --rates 5,10,20 --requests 100 --arrival poisson --run-name rate-sweep

Each level is a full run in its own folder ({--out}/{--run-name}/00004-clients/ or …/10-rps/); load_test.json
and load_test.csv hold one row per level. 'llmeter report' draws percentiles, throughput and errors per level.`;

/** The columns of the sweep table: stats key, header, unit. */
const COLUMNS: [string, string, Parameters<typeof formatStat>[1]][] = [
  ['total_requests', 'requests', 'count'],
  ['failed_requests_rate', 'failed', 'ratio'],
  ['time_to_first_token-p50', 'TTFT p50', 'seconds'],
  ['time_to_first_token-p90', 'TTFT p90', 'seconds'],
  ['time_to_last_token-p50', 'TTLT p50', 'seconds'],
  ['time_to_last_token-p90', 'TTLT p90', 'seconds'],
  ['time_per_output_token-p50', 'TPOT p50', 'seconds'],
  ['requests_per_minute', 'requests/min', 'per-minute'],
  ['output_tps', 'output tok/s', 'per-second'],
];

/** A load test's levels as a text table. */
export function formatSweepTable(result: LoadTestResult): string {
  const rows = result.table();
  const lag = rows.some((r) => r['schedule_lag-p99'] !== null);
  const goodput = rows.some((r) => r['goodput_rate'] !== null);
  const header = [
    result.levelKind,
    ...COLUMNS.map((c) => c[1]),
    ...(lag ? ['lag p99'] : []),
    ...(goodput ? ['goodput'] : []),
  ];
  const body = rows.map((r) => [
    levelLabel(result.levelKind, r[result.levelKind] as number),
    ...COLUMNS.map(([key, , unit]) => formatStat(r[key], unit)),
    ...(lag ? [formatStat(r['schedule_lag-p99'], 'seconds')] : []),
    ...(goodput ? [formatStat(r['goodput_rate'], 'per-second')] : []),
  ]);
  return textTable([header, ...body]);
}

/** Registers `llmeter sweep`. */
export function registerSweepCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('sweep')
    .summary('run a LoadTest: one run per client count or per rate')
    .description('Run a load test: one full run per level of concurrency (--clients) or of arrival rate (--rates).');
  addEndpointOptions(cmd);
  addPayloadOptions(cmd);
  cmd
    .optionsGroup('Levels and load:')
    .addOption(
      new Option('--clients <list>', 'closed-loop levels: client counts, e.g. 1,2,4,8')
        .argParser(positiveIntegerList)
        .conflicts('rates'),
    )
    .option('--rates <list>', 'open-loop levels: requests per second, e.g. 5,10,20', positiveNumberList)
    .option(
      '--requests <n>',
      'per level: requests per client (closed loop) or total requests (open loop)',
      positiveInteger,
    )
    .option('--duration <seconds>', 'per level: seconds of sending instead of a request count', positiveNumber)
    .addOption(new Option('--arrival <process>', 'with --rates: arrival process (default constant)').choices(ARRIVALS))
    .option(
      '--burstiness <cv2>',
      'with --rates and gamma arrivals: squared coefficient of variation (default 1)',
      positiveNumber,
    )
    .option('--max-concurrency <n>', 'with --rates: most requests in flight (default unbounded)', positiveInteger);
  addRunOutputOptions(cmd, 'experiment');
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(async (flags: SweepFlags, command: Command) => {
    let problem = endpointFlagProblem(flags, givenOn(command));
    if (!problem && !flags.clients && !flags.rates)
      problem = "one of '--clients <list>' or '--rates <list>' is required";
    if (!problem && !flags.rates) problem = openLoopFlagProblem(flags, '--rates', 'levels');
    if (problem) throw new CliExit(problem, 2);
    prepareOutFolder(flags.out);
    const payload = await resolvePayloads(flags);
    const opened = await openEndpoint(flags);
    try {
      const kind = flags.clients ? 'clients' : 'rate';
      const levels = (flags.clients ?? flags.rates) as number[];
      const display = progressDisplayFor(io, flags);
      const options: LoadTestOptions = {
        ...runnerOptionsFrom(flags, payload),
        endpoint: opened.endpoint,
        outputPath: flags.out,
        onProgress: steppedProgress(
          display,
          levels.length,
          (level) => `[${level + 1}/${levels.length}] ${levelLabel(kind, levels[level] as number)}`,
        ),
      };
      if (flags.clients) options.clients = flags.clients;
      if (flags.rates) options.rates = flags.rates;
      if (flags.runName) options.testName = flags.runName;
      if (flags.arrival !== undefined) options.arrivals = flags.arrival;
      if (flags.burstiness !== undefined) options.burstiness = flags.burstiness;
      if (flags.maxConcurrency !== undefined) options.maxConcurrency = flags.maxConcurrency;
      if (!flags.json) io.stderr.write(`llmeter: sweeping ${levels.length} levels against ${opened.description}\n`);
      const result = await new LoadTest(options).run();
      display.stop();
      await finishRuns(result, flags, io, setExit, (report) => {
        if (flags.json) {
          io.stdout.write(
            `${JSON.stringify({ folder: result.outputPath, parameter: kind, report, levels: result.table() }, null, 2)}\n`,
          );
        } else {
          io.stdout.write(`\n${formatSweepTable(result)}\n\n`);
          if (result.results.some((r) => r.interrupted)) io.stdout.write('The sweep was interrupted.\n');
          if (result.outputPath) io.stdout.write(`Sweep folder: ${result.outputPath}\n`);
          if (report) io.stdout.write(`Report: ${report}\n`);
        }
      });
    } finally {
      await opened.close();
    }
  });
}
