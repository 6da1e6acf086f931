import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { CliExit, type CliIO, processIO } from './cli-io.js';
import { registerCompareCommand } from './commands/compare-command.js';
import { registerEmulatorCommand } from './commands/emulator-command.js';
import { registerHeatmapCommand } from './commands/heatmap-command.js';
import { registerReportCommand } from './commands/report-command.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerSweepCommand } from './commands/sweep-command.js';

const EXAMPLES = `
Examples:
  $ llmeter run --rate 20 --requests 100                  # open loop against the embedded emulator
  $ llmeter run --clients 4 --requests 10 --report        # closed loop, with an HTML report
  $ llmeter sweep --clients 1,2,4,8 --requests 10         # a LoadTest over concurrency
  $ llmeter heatmap --input-lengths 10,200 --output-lengths 64,256
  $ llmeter report .llmeter-runs/<run>                    # writes .llmeter-runs/<run>/report.html
  $ llmeter compare .llmeter-runs/a .llmeter-runs/b
  $ llmeter emulator --port 8080

Run 'llmeter <command> --help' for a command's options.`;

function version(): string {
  try {
    return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Builds the `llmeter` program. `setExit` receives a command's exit status (when not 0). */
export function createProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('llmeter')
    .description('Measure the latency and throughput of LLM endpoints (Amazon Bedrock Converse and ConverseStream).')
    .version(version(), '-V, --version')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError("(run 'llmeter --help' or 'llmeter <command> --help' for usage)")
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText('after', EXAMPLES);
  registerRunCommand(program, io, setExit);
  registerSweepCommand(program, io, setExit);
  registerHeatmapCommand(program, io, setExit);
  registerReportCommand(program, io);
  registerCompareCommand(program, io);
  registerEmulatorCommand(program, io);
  return program;
}

/**
 * Runs the `llmeter` command line (`argv` without the node and script entries) and resolves with the exit
 * status: 0 success, 1 the run could not start or every request failed, 2 bad usage.
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (help, version, or the usage error naming the flag).
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0
        ? 0
        : 2;
    }
    if (error instanceof CliExit) {
      io.stderr.write(`error: ${error.message}\n`);
      if (error.exitCode === 2) io.stderr.write("(run 'llmeter <command> --help' for usage)\n");
      return error.exitCode;
    }
    io.stderr.write(`llmeter: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
