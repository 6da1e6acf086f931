import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from './concurrency-limiter.js';

describe('ConcurrencyLimiter', () => {
  it('never lets more than `limit` tasks run, and serves waiters in order', async () => {
    const limiter = new ConcurrencyLimiter(3);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        limiter.run(async () => {
          active++;
          peak = Math.max(peak, active);
          order.push(i);
          await new Promise((r) => setTimeout(r, 2));
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(order).toEqual([...Array(12).keys()]);
    expect(limiter.inFlight).toBe(0);
  });

  it('tryAcquire, idle and misuse', async () => {
    const limiter = new ConcurrencyLimiter(1);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    let idle = false;
    const p = limiter.idle().then(() => {
      idle = true;
    });
    await Promise.resolve();
    expect(idle).toBe(false);
    limiter.release();
    await p;
    expect(idle).toBe(true);
    expect(() => limiter.release()).toThrow(/release/);
    expect(() => new ConcurrencyLimiter(0)).toThrow(/positive integer/);
  });
});
