/** Where a command writes: results to `stdout`, progress and diagnostics to `stderr`. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The process's own streams. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr };
}

/** An error that ends a command with a message and an exit code (1: could not run; 2: bad usage). */
export class CliExit extends Error {
  override name = 'CliExit';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
