import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';

/** The README's first `ts` block is the package's example: it must run as written. */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
let dir = '';

afterEach(() => {
  vi.restoreAllMocks();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('runs the README example: three invocations summarized', async () => {
  expect(example).toContain("from '@llmeter/core'");
  dir = mkdtempSync(join(tmpdir(), 'llmeter-readme-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, `${example}\nexport {};\n`);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await import(/* @vite-ignore */ file);
  expect(log).toHaveBeenCalledTimes(1);
  const summary = log.mock.calls[0]?.[0] as Record<string, number | null>;
  expect(summary['count']).toBe(3);
  for (const key of ['average', 'min', 'max', 'p50', 'p90', 'p99']) {
    expect(summary[key], key).toBeGreaterThanOrEqual(0);
  }
});
