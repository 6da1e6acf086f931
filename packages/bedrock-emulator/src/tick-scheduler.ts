import { performance } from 'node:perf_hooks';

/** Something the scheduler runs once at `dueAt` (a `performance.now()` instant, ms). */
export interface ScheduledTask {
  /** When to run, as `performance.now()` ms. Set by `TickScheduler.schedule`. */
  dueAt: number;
  /** Insertion order among equal `dueAt`s. Set by `TickScheduler.schedule`. */
  seq: number;
  run(now: number): void;
}

/** Tasks are run up to this much early, so that everything due within one timer tick is served together. */
const EARLY_MS = 1;

/**
 * One timer for every paced write of an emulator: a binary min-heap of tasks ordered by due instant, and a single
 * `setTimeout` armed for the earliest. When it fires, every task due within the tick runs in order, then the timer is
 * re-armed once. A thousand concurrent streams cost one timer, not a thousand.
 */
export class TickScheduler {
  private readonly heap: ScheduledTask[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private running = false;
  private nextSeq = 0;
  private stopped = false;

  /** Tasks waiting. */
  get size(): number {
    return this.heap.length;
  }

  schedule(task: ScheduledTask, dueAt: number): void {
    if (this.stopped) return;
    task.dueAt = dueAt;
    task.seq = this.nextSeq++;
    this.push(task);
    if (!this.running && dueAt < this.armedFor) this.arm();
  }

  /** Drops every task and the timer. */
  stop(): void {
    this.stopped = true;
    this.heap.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const first = this.heap[0];
    if (!first) {
      this.armedFor = Number.POSITIVE_INFINITY;
      return;
    }
    this.armedFor = first.dueAt;
    const delay = Math.max(0, Math.floor(first.dueAt - performance.now()));
    this.timer = setTimeout(this.tick, delay);
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    this.running = true;
    try {
      let now = performance.now();
      for (;;) {
        const first = this.heap[0];
        if (!first || first.dueAt > now + EARLY_MS) break;
        this.pop();
        try {
          first.run(now);
        } catch {
          // A task that throws must not stop the others; tasks handle their own errors.
        }
        now = performance.now();
      }
    } finally {
      this.running = false;
    }
    if (!this.stopped) this.arm();
  };

  private less(a: ScheduledTask, b: ScheduledTask): boolean {
    return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
  }

  private push(task: ScheduledTask): void {
    const h = this.heap;
    let i = h.push(task) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!this.less(task, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = task;
  }

  private pop(): ScheduledTask | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r]!, h[l]!) ? r : l;
      if (!this.less(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
