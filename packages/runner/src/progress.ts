/** A progress report of a running run, for progress bars and monitors. */
export interface ProgressEvent {
  /** `warmup` while warm-up requests run, `run` during the measured run, `done` once at the end. */
  phase: 'warmup' | 'run' | 'done';
  /** Seconds since the measured run (or the warm-up) started. */
  elapsed: number;
  /** Requests sent in this phase. */
  sent: number;
  /** Requests finished in this phase. */
  done: number;
  /** Finished requests that failed. */
  errors: number;
  /** Requests in flight. */
  inFlight: number;
  /** Live TTFT percentiles over the finished requests of this phase (seconds; null before the first). */
  ttftP50: number | null;
  ttftP90: number | null;
  /** The total requests expected, when known. */
  total: number | null;
}
