import { describe, expect, it } from 'vitest';
import { type ScheduledTask, TickScheduler } from './tick-scheduler.js';

function task(log: { id: number; at: number; ranAt: number }[], id: number): ScheduledTask {
  const t: ScheduledTask = {
    dueAt: 0,
    seq: 0,
    run(now) {
      log.push({ id, at: t.dueAt, ranAt: now });
    },
  };
  return t;
}

describe('TickScheduler', () => {
  it('runs every task once, in due order (ties in insertion order), never more than 1 ms early', async () => {
    const s = new TickScheduler();
    const log: { id: number; at: number; ranAt: number }[] = [];
    const base = performance.now();
    const offsets = [30, 5, 20, 5, 0, 45, 12, 12, 33, 1];
    for (const [id, o] of offsets.entries()) s.schedule(task(log, id), base + o);
    while (log.length < offsets.length) await new Promise((r) => setTimeout(r, 5));
    expect(log.map((l) => l.id)).toEqual([4, 9, 1, 3, 6, 7, 2, 0, 8, 5]);
    for (const l of log) expect(l.ranAt).toBeGreaterThanOrEqual(l.at - 1);
    expect(s.size).toBe(0);
  });

  it('takes tasks scheduled from a running task and earlier than the armed timer', async () => {
    const s = new TickScheduler();
    const order: string[] = [];
    const late: ScheduledTask = { dueAt: 0, seq: 0, run: () => order.push('late') };
    const chained: ScheduledTask = { dueAt: 0, seq: 0, run: () => order.push('chained') };
    const early: ScheduledTask = {
      dueAt: 0,
      seq: 0,
      run: (now) => {
        order.push('early');
        s.schedule(chained, now + 5);
      },
    };
    s.schedule(late, performance.now() + 60);
    s.schedule(early, performance.now() + 5);
    while (order.length < 3) await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(['early', 'chained', 'late']);
  });

  it('stop() drops every task', async () => {
    const s = new TickScheduler();
    let ran = false;
    s.schedule(
      {
        dueAt: 0,
        seq: 0,
        run: () => {
          ran = true;
        },
      },
      performance.now() + 5,
    );
    s.stop();
    await new Promise((r) => setTimeout(r, 30));
    expect(ran).toBe(false);
    expect(s.size).toBe(0);
  });
});
