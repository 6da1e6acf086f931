import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Result } from '../result.js';
import { FakeEndpoint } from '../test-support/fake-endpoint.js';
import { rampRun } from './ramp-runner.js';

describe('the README custom runner', () => {
  it('is in the README verbatim', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const code = readFileSync(new URL('./ramp-runner.ts', import.meta.url), 'utf8');
    expect(readme).toContain(code.trim());
    expect(code.trim().split('\n').length).toBeLessThan(30);
  });

  it('runs a ramp and leaves a run folder Result.load reads with the same statistics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmeter-ramp-'));
    try {
      const stats = await rampRun(new FakeEndpoint({ ttftMs: 2, chunks: 1 }), { prompt: 'hi' }, dir, 1);
      // Λ(1) = 1 + 49/2 = 25.5 → 26 arrivals in the first second
      expect(stats['total_requests']).toBe(26);
      const loaded = await Result.load(dir);
      expect(loaded.totalRequests).toBe(26);
      const { interrupted: _i, ...rest } = loaded.stats;
      expect(rest).toEqual(stats);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
