import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

describe('the README example', () => {
  const file = fileURLToPath(new URL(`./test-support/readme-example-${process.pid}.tmp.ts`, import.meta.url));
  afterEach(() => rmSync(file, { force: true }));

  it('runs against the emulator and prints a successful measurement', async () => {
    const code = /## Example[^\n]*\n+```ts\n([\s\S]*?)```/.exec(readFileSync(README, 'utf8'))?.[1];
    expect(code, 'a ```ts block under "## Example"').toBeTruthy();
    expect(code?.trim().split('\n').length).toBeLessThanOrEqual(12);
    writeFileSync(file, code as string);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import(/* @vite-ignore */ file);
      const [ttft, ttlt, tokens, error] = log.mock.calls[0] ?? [];
      expect(ttft).toBeGreaterThanOrEqual(0.2);
      expect(ttlt).toBeGreaterThan(ttft);
      expect(tokens).toBe(20);
      expect(error).toBeNull();
    } finally {
      log.mockRestore();
    }
  });
});
