import type { EmulatorOptions, FaultRule, LatencyProfile } from '@llmeter/bedrock-emulator';
import type { Command } from 'commander';
import { CliExit, type CliIO } from '../cli-io.js';
import { startEmulatorFor } from '../options/endpoint-options.js';
import { jsonOrFile, nonEmpty, nonNegativeInteger, port } from '../options/option-parsers.js';

const EXAMPLES = `
Examples:
  $ llmeter emulator --port 8080
  $ llmeter emulator --profile '{"ttftMs": 50, "interTokenDelayMs": 5}'
  # then, in another shell:
  $ llmeter run --endpoint-url http://127.0.0.1:8080 --rate 10 --requests 50`;

interface EmulatorFlags {
  host: string;
  port: number;
  seed?: number;
  profile?: unknown;
  faults?: unknown;
  json?: boolean;
}

/** Registers `llmeter emulator`. */
export function registerEmulatorCommand(program: Command, io: CliIO): void {
  program
    .command('emulator')
    .summary('run the Bedrock emulator in the foreground')
    .description(
      'Start the local Amazon Bedrock Runtime emulator (Converse, ConverseStream), print its URL, and run until Ctrl-C.',
    )
    .option('--host <host>', 'interface to listen on', nonEmpty, '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', port, 0)
    .option('--seed <n>', 'seed of latencies and fault draws (default 1)', nonNegativeInteger)
    .option('--profile <json|file>', 'latency profile (LatencyProfile fields), inline JSON or a file', jsonOrFile)
    .option('--faults <json|file>', 'fault rules (an array of FaultRule), inline JSON or a file', jsonOrFile)
    .option('--json', 'print {"url": …} as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: EmulatorFlags) => {
      if (flags.profile !== undefined && (typeof flags.profile !== 'object' || Array.isArray(flags.profile))) {
        throw new CliExit(`option '--profile <json|file>' must hold a JSON object of LatencyProfile fields`, 2);
      }
      if (flags.faults !== undefined && !Array.isArray(flags.faults)) {
        throw new CliExit(`option '--faults <json|file>' must hold a JSON array of fault rules`, 2);
      }
      const options: EmulatorOptions = { host: flags.host, port: flags.port };
      if (flags.seed !== undefined) options.seed = flags.seed;
      if (flags.profile) options.profile = flags.profile as Partial<LatencyProfile>;
      if (flags.faults) options.faults = flags.faults as FaultRule[];
      const emulator = await startEmulatorFor(options, {
        profile: '--profile <json|file>',
        faults: '--faults <json|file>',
      });
      if (flags.json) io.stdout.write(`${JSON.stringify({ url: emulator.url, port: emulator.port })}\n`);
      else io.stdout.write(`Bedrock emulator listening on ${emulator.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await emulator.close();
      if (!flags.json) io.stdout.write(`Bedrock emulator stopped after ${emulator.requestCount} requests\n`);
    });
}
